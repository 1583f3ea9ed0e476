"""Twin pairs asked of a language model over an OpenAI-compatible API, verified like templates.

prompts (what to ask) -> client (HTTP, retries, cache) -> answer (read the reply) -> check
(parse, sink, diff, label words, javac) -> generate (the loop, ids, families, counts).
"""
