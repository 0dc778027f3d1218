"""Celery's Redis transport, surviving the loss of Redis while the worker holds messages.

When the broker connection drops, Celery (5.7) closes it before reconnecting, and kombu (5.7)
closing the channel tries to put the messages the worker holds unacknowledged (runs waiting for
their countdown) back on the queue, through the connection it has just closed: an
AttributeError on its connection parameters that Celery treats as unrecoverable, so the worker
exits (kombu#970 and #582 show the same failure in earlier versions). Nothing is lost by not
putting them back at that moment: Redis redelivers an unacknowledged message after the
visibility timeout, and the sweep re-enqueues the work the database records as unfinished long
before that. So the restore that cannot reach Redis is logged and skipped; the worker reconnects.
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):
        try:
            super().restore_unacked(client)
        except AttributeError:
            if self.channel.connection.client is not None:  # not the closed connection: a real bug
                raise
            logger.warning(
                "Redis went away while this worker held unacknowledged messages; Redis redelivers "
                "them after the visibility timeout and the sweep re-enqueues their work."
            )


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
