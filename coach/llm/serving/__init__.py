"""Starting, finding and stopping the LLM server the coach talks to."""
