"""Session-state keys, named once (no page invents a string key)."""


class StateKeys:
    VIEWER = "viewer"
    DATA_AS_OF = "data_as_of"
    FLASH = "flash_message"
    SIGNIN_USERNAME = "signin_username"
    SIGNIN_PASSWORD = "signin_password"
