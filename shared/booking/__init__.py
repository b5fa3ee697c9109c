"""A patient's use cases over slots: hold, book, move, cancel, referrals, the waiting list, reminders, tickets."""
