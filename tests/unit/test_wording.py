from syncstatus.wording import plural


def test_one_is_singular_and_other_counts_are_plural_with_separators():
    assert plural(1, "center") == "1 center"
    assert plural(0, "center") == "0 centers"
    assert plural(2, "sale order") == "2 sale orders"
    assert plural(94732, "document") == "94,732 documents"
    assert plural(1, "day") == "1 day"
    assert plural(3, "journal entry") == "3 journal entries"
    assert plural(2, "person", "people") == "2 people"
