"""The clinic staff's side: published plans, the daily schedule job, absences, the day list, staff identity."""
