"""Installing plain-SQL triggers on the database in use: one list of statements per
database vendor (django-pgtrigger covers PostgreSQL only; these run on SQLite too)."""


def install(schema_editor, statements_by_vendor, *then):
    """Run this vendor's statements, then `then` (e.g. filling what the triggers keep)."""
    vendor = schema_editor.connection.vendor
    statements = statements_by_vendor.get(vendor)
    if statements is None:
        raise NotImplementedError(f"no triggers written for {vendor}")
    for statement in [*statements, *then]:
        schema_editor.execute(statement)


def uninstall(schema_editor, drops_by_vendor):
    for statement in drops_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)
