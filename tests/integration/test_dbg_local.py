from tests.integration.test_stream_local import *  # noqa

def test_dbg(local_mail, ddb_table):
    appt_id = "Loc1kQ8rT2vXyZa1BcD4eFgHi"
    dal.put(appointment(appt_id, 4102444800))
    calls = []
    def deliver(ev):
        calls.append(ev)
        r = notifier(ev)
        print("RESP", r)
        return r
    poller = new_poller(ddb_table, deliver)
    for i in range(5):
        n = poller.poll_once()
        print("poll", n, {k: (len(s.buffer), s.closed, s.started, s.parent) for k, s in poller.shards.items()})
    print(outbox.outbox_items())
    assert 0
