"""Which composer sends each pending message: a TLS 1.3 connection's table, switched to the
TLS 1.2 table where TLS 1.2 is settled (`Tls12Mixin.speak_tls12`), for the connection and
its forks alike."""

from __future__ import annotations

import copy

import pytest

from engine.tls.client13 import TlsClient
from engine.tls.connection import TlsConnection
from engine.tls.constants import CipherSuite, ProtocolVersion
from engine.tls.server13 import TlsServer
from engine.tls.tls12 import Tls12Mixin
from engine.tls.tls13 import Tls13Connection, by_version, composer_tables
from tests.engine.tls.engine_pair import Pair, client, connected, server

TLS12 = (ProtocolVersion.TLS1_2,)


def test_composer_tables_take_each_versions_form_and_share_the_rest() -> None:
    first, second, shared = (lambda c, choices: None), (lambda c, choices: None), TlsConnection.compose_alert
    tls13, tls12 = composer_tables({"Finished": by_version(first, second), "Alert": shared})
    assert tls13 == {"Finished": first, "Alert": shared}
    assert tls12 == {"Finished": second, "Alert": shared}


@pytest.mark.parametrize("endpoint", [TlsClient, TlsServer])
def test_each_endpoint_has_both_tables_over_the_same_messages(endpoint: type[Tls12Mixin]) -> None:
    assert endpoint.COMPOSERS.keys() == endpoint.COMPOSERS_TLS12.keys()
    assert endpoint.COMPOSERS["Finished"] is Tls13Connection.compose_finished
    assert endpoint.COMPOSERS_TLS12["Finished"] is Tls12Mixin.compose_finished12
    assert endpoint.COMPOSERS["Alert"] is endpoint.COMPOSERS_TLS12["Alert"] is TlsConnection.compose_alert


def test_a_tls13_handshake_keeps_the_class_table() -> None:
    pair = connected(Pair(client(), server()))
    for endpoint in (pair.client, pair.server):
        assert endpoint.version == ProtocolVersion.TLS1_3
        assert endpoint.COMPOSERS is type(endpoint).COMPOSERS


@pytest.mark.parametrize("client_versions", [TLS12, (ProtocolVersion.TLS1_3, ProtocolVersion.TLS1_2)])
def test_a_tls12_handshake_composes_by_the_tls12_table_and_so_do_its_forks(
        client_versions: tuple[ProtocolVersion, ...]) -> None:
    suite = (CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,)
    fresh = client(versions=client_versions, tls12_suites=suite)
    hello = fresh.start()
    answer = server(kind="ecdsa", versions=TLS12, tls12_suites=suite)
    flight = answer.receive(hello.data)
    assert answer.version == ProtocolVersion.TLS1_2 and answer.COMPOSERS is TlsServer.COMPOSERS_TLS12
    fork = copy.deepcopy(fresh)
    for endpoint in (fresh, fork):
        peer = copy.deepcopy(answer)
        assert endpoint.COMPOSERS is TlsClient.COMPOSERS
        second_flight = endpoint.receive(flight.data)
        assert endpoint.version == ProtocolVersion.TLS1_2
        assert endpoint.COMPOSERS == TlsClient.COMPOSERS_TLS12
        endpoint.receive(peer.receive(second_flight.data).data)
        assert endpoint.handshake_complete and peer.handshake_complete
