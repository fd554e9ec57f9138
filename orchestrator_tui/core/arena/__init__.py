"""The arena: votes on answers shown together, ratings fitted from them, judges and councils.

Nothing here imports numpy at module level except ``ratings``, which only the leaderboard loads.
"""
