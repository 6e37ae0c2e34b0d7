"""A pupil's file: the roll, the chronology and its export, siblings, flags, leavers and transfers."""
