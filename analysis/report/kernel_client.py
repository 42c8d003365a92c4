"""The Jupyter client the notebook runner gives papermill: one that cannot miss a kernel's reply.

papermill's standard engine (nbclient) waits for a cell's ``execute_reply`` with
``shell_channel.get_msg(timeout=None)``: one asynchronous ZeroMQ poll without a deadline. That poll can
miss its wake-up (the reply is in the socket, the kernel is idle, and the client waits for ever: nbclient
issue 312, seen here with the ipywidgets of ``explore.ipynb`` inside ``reproduce``, which then never
ended). :class:`PatientKernelManager` is the same :class:`jupyter_client.AsyncKernelManager` with a client
whose channels wait in slices of :data:`SLICE` seconds: a poll that ends on its deadline looks at the
socket once more (pyzmq polls it synchronously), so a reply that is there is always read, at most
:data:`SLICE` seconds late; without one it waits again, as long as the kernel needs (no time limit).

Passed to papermill as ``kernel_manager_class`` (an nbclient option) by
:func:`analysis.report.runner.run_notebook`; every notebook still gets its own fresh kernel.
"""

from __future__ import annotations

from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

#: seconds of one wait for a message before the socket is looked at again
SLICE = 1.0


class PatientChannel(AsyncZMQSocketChannel):
    """An asynchronous channel whose wait without a deadline is a loop of waits of :data:`SLICE` seconds."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        """The next message; with ``timeout`` None, wait as long as it takes, looking every :data:`SLICE` s.

        Examples
        --------
        >>> PatientChannel.get_msg.__doc__.split(";")[0]
        'The next message'
        """
        if timeout is not None:
            return await super().get_msg(timeout)
        while True:
            try:
                return await super().get_msg(SLICE)
            except Empty:
                continue


class PatientKernelClient(AsyncKernelClient):
    """:class:`jupyter_client.AsyncKernelClient` with :class:`PatientChannel` for shell, IOPub and stdin."""

    shell_channel_class = Type(PatientChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(PatientChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(PatientChannel)  # type: ignore[assignment]


class PatientKernelManager(AsyncKernelManager):
    """:class:`jupyter_client.AsyncKernelManager` whose clients are :class:`PatientKernelClient`."""

    client_class = DottedObjectName("analysis.report.kernel_client.PatientKernelClient")  # type: ignore[assignment]
    client_factory = Type(PatientKernelClient, klass=AsyncKernelClient)  # type: ignore[assignment]
