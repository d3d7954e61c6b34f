from django.dispatch import Signal

# Sent with `intro` and `now` in the transaction that created an introduction: apps above
# intros add what they know of the seeker and tell the connector of a seeker's request.
intro_created = Signal()
