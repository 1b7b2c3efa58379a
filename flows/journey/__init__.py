"""The journey self-assessment: the diagnostic machine over the ten steps and its conversation."""
