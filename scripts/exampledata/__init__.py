"""The example-data generator behind ``scripts/make_example_data.py``.

- :mod:`exampledata.source`: reads the hand-written data under
  ``provrag/example_data/source/`` (passages, golden queries, gazetteer, templates,
  rules) into typed objects;
- :mod:`exampledata.engines`: the paraphraser, the question generator and the
  keyword heuristic, driven by that data;
- :mod:`exampledata.build`: the records of both dataset versions, the golden set
  and the bad records, deterministic for a seed;
- :mod:`exampledata.render`: the files' text (JSONL, Turtle, README, counts).
"""
