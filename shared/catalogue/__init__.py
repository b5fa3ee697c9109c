"""What can be booked, read only: districts, clinics, specialties, doctors and their free slots; addresses."""
