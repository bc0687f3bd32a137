"""Session-state keys, named once (no page invents a string key)."""


class StateKeys:
    VIEWER = "viewer"
    DATA_AS_OF = "data_as_of"
    FLASH = "flash_message"
    SIGNIN_USERNAME = "signin_username"
    SIGNIN_PASSWORD = "signin_password"
    EMAIL_SCHEDULE_EDITING = "email_schedule_editing"
    EMAIL_SCHEDULE_FORM = "email_schedule_form_"  # prefix of the schedule form's widget keys
    EMAIL_DIALOG_OPEN = "email_dialog_open"  # the report key whose Email dialog is open
    SIGNIN_FORM = "signin_form"
    SIGNIN_ERROR = "signin_error"
    SIGNIN_SSO = "signin_sso"
    SIGN_OUT = "sign_out"
    VIEWER_CHECKED_AT = "viewer_checked_at"
    AUDIT_ACTION = "audit_action"
    AUDIT_LIMIT = "audit_limit"
    EMAIL_SCHEDULE_RESET = "email_schedule_reset"
    JUST_SIGNED_IN = "just_signed_in"  # the front door after sign-in is the Sync Status report
