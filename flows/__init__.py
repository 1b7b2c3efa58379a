"""The conversation engine of Cluster Journey: content, flows, scoring and summaries.

Nothing here knows about Telegram, terminals or databases: flows take Events and answer with
Replies, and adapters in `bot/` render them.
"""
