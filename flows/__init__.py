"""The conversations of Cluster Journey: content, one routing table, a module or subpackage per
feature, scoring and summaries.

Nothing here knows about Telegram, terminals, databases or drawing: flows take Events and answer
with plain-data Replies; what they must look up or keep they ask of the `ports` the adapters in
`bot/` implement.
"""
