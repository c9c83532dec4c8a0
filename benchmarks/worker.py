"""A header naming the server process that answered (`X-Bench-Worker`): the filing
benchmark reports how the officers' keep-alive connections fell on the workers, which its
figures depend on."""

import os


class WorkerHeader:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Bench-Worker"] = str(os.getpid())
        return response
