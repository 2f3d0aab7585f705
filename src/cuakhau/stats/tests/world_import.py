"""The historical import's part of the access-policy matrix (``core/tests/test_policy.py``,
also rendered in every language by ``core/tests/test_languages.py``): the example file imported
once, so the list of imports and its undo button show."""

from cuakhau.stats import imports

READ_ALL = {"board", "auditor", "admin"}
KEEPERS = {"board", "admin"}


def import_world(w) -> None:
    if "stats_import_batch" in w:
        return
    sheet = imports.read_spreadsheet(imports.EXAMPLE_FILE.name, imports.EXAMPLE_FILE.read_bytes())
    w["stats_import_batch"] = imports.import_history(None, sheet, is_example=True)


def import_view_cases(w) -> dict:
    import_world(w)
    batch = w["stats_import_batch"].pk
    return {
        "stats:import": ("get", "/stats/import/", None, KEEPERS),
        # No preview in the session: the keeper is sent back to the upload, nothing saved.
        "stats:import_confirm": ("post", "/stats/import/confirm/", {}, KEEPERS),
        "stats:import_undo": ("post", f"/stats/import/{batch}/undo/", {}, KEEPERS),
        "stats:import_example": ("get", "/stats/import/example.csv", None, READ_ALL),
    }
