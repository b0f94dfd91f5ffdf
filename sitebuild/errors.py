"""The one exception type the build raises for problems a person must fix."""


class BuildError(Exception):
    """A build step failed for a reason the author can act on.

    The message is shown as-is, without a Python traceback, so it must say
    where (file:line), what happened and what to do.
    """
