"""HTTP service and command line of the news question-answering product."""
