"""The one error kind the eval commands report as a message, not a traceback: input that
a person wrote (a gold set, a benchmark folder, a question selection) and must fix."""


class EvalInputError(ValueError):
    pass
