"""The notebook runner's Jupyter client cannot hang on a lost wake-up (analysis.report.kernel_client)."""

from __future__ import annotations

import asyncio
from queue import Empty

from jupyter_client.channels import AsyncZMQSocketChannel

from analysis.report import kernel_client as K


def test_a_wait_without_deadline_looks_again_until_the_message_is_there(monkeypatch):
    # the first two timed waits end empty (as a poll whose wake-up was lost ends on its deadline), the third
    # finds the reply; a single wait without a deadline would have waited for ever
    calls = []

    async def fake_get_msg(self, timeout=None):
        calls.append(timeout)
        if len(calls) < 3:
            raise Empty
        return {"msg_type": "execute_reply"}

    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", fake_get_msg)
    channel = K.PatientChannel.__new__(K.PatientChannel)
    assert asyncio.run(channel.get_msg(None)) == {"msg_type": "execute_reply"}
    assert calls == [K.SLICE, K.SLICE, K.SLICE]
    calls.clear()
    try:  # a deadline given by the caller is kept as it is
        asyncio.run(channel.get_msg(0.5))
    except Empty:
        pass
    assert calls == [0.5]


def test_the_runner_gives_papermill_a_manager_whose_clients_use_the_patient_channels():
    import inspect

    from analysis.report import runner

    km = K.PatientKernelManager(kernel_name="tace-net")
    client = km.client()
    assert isinstance(client, K.PatientKernelClient)
    assert client.shell_channel_class is K.PatientChannel and client.iopub_channel_class is K.PatientChannel
    # run_notebook executes every notebook (and its one retry) through runner._papermill
    assert "analysis.report.kernel_client.PatientKernelManager" in inspect.getsource(runner._papermill)
