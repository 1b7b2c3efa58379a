"""The regional picture: consent to share, what peers at the same step look like, and what a
region's consented clusters need (the observers' view)."""
