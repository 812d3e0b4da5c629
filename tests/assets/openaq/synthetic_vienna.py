"""The synthetic Vienna the local OpenAQ server serves (devservices/openaq_server/synthetic.py), as tests count on it.

Written out by hand from the layout, not computed from the server or the pipeline, so a test comparing against these
lists checks both; the city-day and the OpenAQ fault tests share them.
"""

VIENNA: dict = {"city": "Vienna", "latitude": 48.2082, "longitude": 16.3738}
# The synthetic Vienna layout within 10 km: 5 active stations with 2+3+4+2+2 sensors, one retired in 2019
# (2 sensors), one that never reported (1 sensor); 14 km and 30 km stations lie outside.
ACTIVE_WITHIN_10KM = [900101, 900102, 900103, 900104, 900105]
WITHIN_10KM = [*ACTIVE_WITHIN_10KM, 900106, 900107]
RETIRED_AND_NEVER_SENSORS = [9001061, 9001062, 9001071]
SENSORS_WITHIN_10KM = [
    9001011,
    9001012,
    9001021,
    9001022,
    9001023,
    9001031,
    9001032,
    9001033,
    9001034,
    9001041,
    9001042,
    9001051,
    9001052,
]
