"""interview-coach: the domain core (config, LLM client, tutor, interviewer, grader, sessions, CLI)."""
