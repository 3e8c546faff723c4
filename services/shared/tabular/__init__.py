"""Tables in and out: CSV/XLSX import with per-cell errors (reading, from sources); CSV and XLSX export that Excel
in China opens (writing); the cell rules both share (cells)."""
