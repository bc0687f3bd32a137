"""A clicked message cell reads whole under its table, as text (ui.tables.cell_in_full)."""

from streamlit.testing.v1 import AppTest

MESSAGE = "Invalid Account Reference Key 4200: the account **4200** is inactive in [QuickBooks](https://x.example)"


def script(cell, message):
    import pandas as pd

    from syncstatus.ui import tables

    table = pd.DataFrame({"Order no": ["PO-1", "PO-2"], "Response message": ["ok", message]})
    tables.cell_in_full(table, cell, ["Response message"], "Order no")


def page(cell):
    return AppTest.from_function(script, kwargs={"cell": cell, "message": MESSAGE}).run()


def test_the_clicked_message_is_shown_whole_as_text_with_its_row():
    at = page((1, "Response message"))
    assert not at.exception
    assert at.code[0].value == MESSAGE
    assert "PO\\-2" in at.caption[0].value


def test_without_a_click_on_a_message_the_table_says_how_to_read_one():
    for cell in (None, (0, "Order no")):
        at = page(cell)
        assert not at.code
        assert "Click a cell of Response message" in at.caption[0].value
