"""The tables as declared: what every index copies of an item, and what it leaves on the item alone."""
from __future__ import annotations

from functions.models import ALL_TABLES
from functions.models.base import UNINDEXED, TenantItem


def test_indexes_copy_every_attribute_but_the_unindexed_detail():
    keys = {"pk", "sk"} | {f"gsi{n}{part}" for n in range(1, 5) for part in ("pk", "sk")}
    for model in ALL_TABLES:
        for index in model._get_schema()["global_secondary_indexes"]:
            projection = index["projection"]
            assert projection["ProjectionType"] == "INCLUDE", (model, index["index_name"])
            assert set(projection["NonKeyAttributes"]) == set(TenantItem.get_attributes()) - keys - {"detail"}


def test_fields_split_into_data_and_detail_and_read_back_whole():
    from functions.models.base import split_fields

    fields = {"status": "accepted", "history": [{"action": "report"}]}
    parts = split_fields(fields)
    assert parts == {"data": {"status": "accepted"}, "detail": {"history": [{"action": "report"}]}}
    assert set(UNINDEXED) == {"history"}
    assert split_fields({"status": "reported"})["detail"] is None  # no empty map stored
