"""A transfer's message thread, shared by every role: the thread view, its window, the banner on every tab."""
