"""A local stand-in for the OpenAI, Anthropic and Tavily APIs and a few web pages.

It exists so the example's cassettes can be re-recorded offline with realistic
usage numbers: token counts come from the actual request bodies, and repeated
long prefixes are reported as cached, as the real providers do.

Start it with ``python -m fake_llm.server`` or, in Python, ``fake_llm.server.serve()``.
"""
