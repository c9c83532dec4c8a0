from django.db import models


class Category(models.TextChoices):
    """The three kinds of discovery § 501.11(b) requires a provider to notify."""

    TEST_FINDING = "test_finding", "Test finding (b)(1)"
    SECURITY_WEAKNESS = "security_weakness", "Security weakness or tampering method (b)(2)"
    CYBER_ATTACK = "cyber_attack", "Cyber attack (b)(3)"


class Subtype(models.TextChoices):
    TEST_RESULT = "test_result", "Test result on security or revenue-protection features"
    EQUIPMENT_DEFECT = "equipment_defect", "Suspected equipment defect"
    CUSTOMER_ABUSE = "customer_abuse", "Suspected abuse by a customer"
    EMPLOYEE_ABUSE = "employee_abuse", "Suspected abuse by a provider employee"
    CMRS_BREACH = "cmrs_breach", "Suspected breach of the CMRS"
    CUSTOMER_DATA_BREACH = "customer_data_breach", "Suspected breach of confidential customer data"
    ABNORMAL_PERFORMANCE = "abnormal_performance", "Occurrence outside normal performance"
    REPEATABLE_DEVIATION = "repeatable_deviation", "Repeatable deviation from normal performance"
    TAMPERING_METHOD = "tampering_method", "Method of tampering"
    UNAUTHORIZED_ACCESS = "unauthorized_access", "Unauthorized access"
    DATA_CORRUPTION = "data_corruption", "Data corruption"
    OPERATIONAL_DISRUPTION = "operational_disruption", "Operational disruption"
    DENIAL_OF_SERVICE = "denial_of_service", "Denial of service"
    SOCIAL_ENGINEERING = "social_engineering", "Social engineering"
    OTHER = "other", "Other"


SUBTYPES_BY_CATEGORY = {
    Category.TEST_FINDING: (Subtype.TEST_RESULT, Subtype.OTHER),
    Category.SECURITY_WEAKNESS: (
        Subtype.EQUIPMENT_DEFECT,
        Subtype.CUSTOMER_ABUSE,
        Subtype.EMPLOYEE_ABUSE,
        Subtype.CMRS_BREACH,
        Subtype.CUSTOMER_DATA_BREACH,
        Subtype.ABNORMAL_PERFORMANCE,
        Subtype.REPEATABLE_DEVIATION,
        Subtype.TAMPERING_METHOD,
        Subtype.OTHER,
    ),
    Category.CYBER_ATTACK: (
        Subtype.UNAUTHORIZED_ACCESS,
        Subtype.DATA_CORRUPTION,
        Subtype.OPERATIONAL_DISRUPTION,
        Subtype.DENIAL_OF_SERVICE,
        Subtype.SOCIAL_ENGINEERING,
        Subtype.OTHER,
    ),
}

# Categories whose filing must name at least one affected PES model (§ 501.11(b)(1), (2)).
CATEGORIES_NEEDING_PES_MODEL = (Category.TEST_FINDING, Category.SECURITY_WEAKNESS)


class IncidentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    INVESTIGATING = "investigating", "Investigating"
    CLOSED = "closed", "Closed"


class RevenueRisk(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"
