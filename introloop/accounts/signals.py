from django.dispatch import Signal

# Sent with `user` once an address is verified; apps above accounts attach their data to it.
email_verified = Signal()
