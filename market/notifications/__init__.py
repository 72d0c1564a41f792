"""Messages to people (消息): a notice for each event that waits on someone, written in the same transaction as the
change, read on the message centre and sent by e-mail after the commit (`flask --app market notifications
deliver`)."""

from market.transaction import PageBlueprint

bp = PageBlueprint("notifications", __name__, url_prefix="/notifications")
