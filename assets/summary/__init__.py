"""The daily summary of one city-day: WHO guideline verdicts per pollutant (`compute.py`, `guidelines.py`), its
chart (`chart.py`), and the checks on the parquet object it reads (`source.py`). The asset is
`assets/daily_summary.py`."""
