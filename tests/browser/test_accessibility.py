"""axe-core (bundled with axe-playwright-python, no CDN) on the home, queue, case, filing,
report, compliance-record and proceeding pages as each role: no serious or critical
violation; every form control has a unique id and a label; at 390 px nothing scrolls
sideways but a table inside its box."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from compliance.enforcement.services import add_proceeding_note, open_proceeding
from tests.factories import ManagerFactory
from tests.incidents.factories import make_draft
from tests.reports.factories import waiting_on_usps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
PHONE = {"width": 390, "height": 844}

# Every visible form control: an id no other element has, and a label (or a name given by
# aria-label / aria-labelledby).
CONTROLS_WITHOUT_ID_OR_LABEL = """() => {
  const bad = [];
  document.querySelectorAll("input, select, textarea").forEach(el => {
    if (el.type === "hidden" || el.type === "submit") return;
    const id = el.id;
    const unique = id && document.querySelectorAll("#" + CSS.escape(id)).length === 1;
    const named = (el.labels && el.labels.length) || el.getAttribute("aria-label")
      || el.getAttribute("aria-labelledby");
    if (!unique || !named) bad.push(el.outerHTML.slice(0, 120));
  });
  return bad;
}"""
# Elements sticking out to the right of the screen, outside a table's scroll box.
SIDEWAYS = """() => {
  const root = document.documentElement, width = root.clientWidth;
  const out = [];
  if (root.scrollWidth > width) out.push("page " + root.scrollWidth);
  document.querySelectorAll("body *").forEach(el => {
    if (el.closest("table.list, .table-scroll")) return;
    const r = el.getBoundingClientRect();
    if (r.width && r.right > width + 1) out.push(el.tagName + "." + el.className);
  });
  return out.slice(0, 10);
}"""


@pytest.fixture
def case_file(settings, tmp_path, officer_a, reviewer):
    """Provider A with every kind of item waiting on USPS, a draft, and a suspension
    proceeding citing its case, with an internal note."""
    settings.MEDIA_ROOT = tmp_path
    items = waiting_on_usps(officer_a, at=timezone.now())
    items["draft"] = make_draft(officer_a)
    opener = ManagerFactory(username="opener")
    items["proceeding"] = open_proceeding(actor=opener, provider=officer_a.provider,
                                          kind="suspension", grounds="Late notification.",
                                          incidents=[items["case"].pk])
    add_proceeding_note(actor=reviewer, proceeding=items["proceeding"], body="Internal.")
    return items


def pages_for(user, items):
    case = f"/incidents/{items['case'].pk}/"
    report = f"/reports/{items['report'].pk}/"
    provider = items["case"].provider_id
    proceeding = f"/proceedings/{items['proceeding'].pk}/"
    record = f"/providers/{provider}/compliance-record/"
    if user.is_usps_manager:  # the pages only managers have, and the register
        return ["/", "/notifications/policy/", "/providers/", f"/providers/{provider}/",
                "/notifications/preferences/", "/profile/", "/does-not-exist/", record,
                f"{record}duties/?figure=owed", "/proceedings/", proceeding,
                "/proceedings/new/", f"/proceedings/new/?provider={provider}"]
    if user.is_usps:
        return ["/", "/incidents/queue/", case, f"/incidents/{items['filing'].pk}/", report,
                f"/obligations/{items['extension'].obligation_id}/",
                f"/procedures/{items['procedures'].pk}/", "/metrics/", "/obligations/",
                proceeding]
    pages = ["/", "/incidents/", case, report, "/procedures/", "/metrics/", "/obligations/",
             "/proceedings/", proceeding, record]
    if user.is_provider_officer:
        pages += ["/incidents/new/", f"/incidents/{items['draft'].pk}/submit/",
                  f"/reports/incident/{items['filing'].pk}/written/".replace(
                      str(items["filing"].pk), str(items["extension_case"].pk))]
    return pages


@pytest.mark.parametrize("role", ["officer_a", "viewer_a", "reviewer", "manager"])
def test_every_page_passes_axe_and_fits_a_phone(request, page, sign_in, role, case_file):
    user = request.getfixturevalue(role)
    sign_in(user)
    axe = Axe()
    problems = []
    for path in pages_for(user, case_file):
        page.set_viewport_size({"width": 1280, "height": 900})
        response = page.goto(path)
        assert response.status == (404 if "does-not" in path else 200), (role, path)
        found = axe.run(page).response["violations"]
        problems += [(path, v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                     for v in found if v["impact"] in BLOCKING]
        problems += [(path, "control", c) for c in page.evaluate(CONTROLS_WITHOUT_ID_OR_LABEL)]
        page.set_viewport_size(PHONE)
        page.goto(path)
        problems += [(path, "sideways", s) for s in page.evaluate(SIDEWAYS)]
    assert not problems, "\n".join(map(str, problems))
