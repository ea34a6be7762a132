"""The ledger a 督查室 keeps over months, on top of what was extracted: human corrections that
survive rebuilds (corrections, apply), progress reports from the units (progress), and which
tasks are overdue or due soon (overdue). Stored beside the registry's tables, in the same
database (tables), and read back from the workbooks taizhang wrote (workbook_in)."""
