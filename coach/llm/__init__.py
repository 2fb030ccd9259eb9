"""The LLM: an OpenAI-compatible client, the sampling settings sent on every call, prompts, the guard on document text, the server launch."""
