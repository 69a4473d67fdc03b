"""TLS 1.3 levels on the real engine: right moves, wrong moves and the peer's real alerts."""

from __future__ import annotations

from engine.levels import load_level
from engine.referee import EntryRole, Move, MoveJudged, Referee, Side
from engine.tls.keyschedule import derive_traffic_keys
from engine.tls.record import RecordReader
from engine.tls.suites import suite_info


def frozen() -> float:
    return 0.0


def start(level_id: str, seed: int = 3) -> Referee:
    referee = Referee(load_level(level_id), seed, clock=frozen)
    referee.start()
    return referee


def judged(events: list[object]) -> MoveJudged:
    return next(e for e in events if isinstance(e, MoveJudged))


def play_until(referee: Referee, key: str) -> None:
    while referee.turn is not None and referee.solution_move().key != key:
        referee.play(referee.solution_move())


def test_a_suite_the_client_never_offered_gets_its_illegal_parameter_alert() -> None:
    referee = start("tls13-02-handshake-server")
    events = referee.play(Move("ServerHello", {"cipher_suite": "TLS_AES_128_GCM_SHA256", "group": "x25519"}))
    judgement = judged(events).judgement
    assert not judgement.correct
    assert judgement.reaction.startswith("The real client answered with the alert illegal_parameter")
    assert "which we did not offer" in judgement.reaction
    roles = [(e.role, e.kind) for e in referee.ladder[-2:]]
    assert roles == [(EntryRole.MISTAKE, "ServerHello"), (EntryRole.REACTION, "Alert")]
    assert referee.score().mistakes == 1
    # The game goes on from before the mistake: the right move still works.
    assert judged(referee.play(referee.solution_move())).judgement.correct


def test_a_group_without_a_client_key_share_is_refused() -> None:
    referee = start("tls13-02-handshake-server")
    events = referee.play(Move("ServerHello", {"cipher_suite": "TLS_AES_256_GCM_SHA384", "group": "secp384r1"}))
    judgement = judged(events).judgement
    assert not judgement.correct
    assert "illegal_parameter" in judgement.reaction
    assert "sent no share" in judgement.reaction


def test_messages_out_of_order_get_unexpected_message() -> None:
    referee = start("tls13-02-handshake-server")
    play_until(referee, "EncryptedExtensions")
    events = referee.play(Move("Certificate"))
    judgement = judged(events).judgement
    assert judgement.headline.startswith("✗ Certificate is not the move here")
    assert "unexpected_message" in judgement.reaction


def test_the_wrong_alert_is_a_mistake_and_the_right_one_ends_the_level() -> None:
    referee = start("tls13-06-wrong-name")
    referee.play(Move("ClientHello"))
    wrong = judged(referee.play(Move("Alert", {"alert": "unknown_ca"}))).judgement
    assert not wrong.correct
    assert wrong.headline == "✗ Wrong alert: the fault calls for bad_certificate"
    assert "certificate is for www.example.org, not localhost" in wrong.explanation
    right = judged(referee.play(Move("Alert", {"alert": "bad_certificate"}))).judgement
    assert right.correct
    assert referee.finished
    assert referee.ladder[-1].kind == "Alert" and referee.ladder[-1].sender is Side.CLIENT


def test_a_move_that_cannot_be_built_yet_says_why() -> None:
    referee = start("tls13-01-handshake-client")
    judgement = judged(referee.play(Move("Finished"))).judgement
    assert not judgement.correct
    assert judgement.headline == "✗ You cannot send Finished now"
    assert "no cipher suite has been agreed yet" in judgement.explanation


def test_the_keys_shown_are_the_keys_that_encrypt_the_records() -> None:
    referee = start("tls13-01-handshake-client", seed=11)
    while referee.turn is not None:
        referee.play(referee.solution_move())
    secrets = {s.name: s.value for s in referee.secrets}
    suite = suite_info(0x1301)
    protected = [e for e in referee.ladder if e.protected_by and e.sender is Side.SERVER]
    assert {e.protected_by for e in protected} >= {"server_handshake_traffic_secret", "server_application_traffic_secret_0"}
    for name in ("server_handshake_traffic_secret", "server_application_traffic_secret_0"):
        reader = RecordReader()
        reader.set_key(derive_traffic_keys(secrets[name], suite), name)
        entries = [e for e in protected if e.protected_by == name]
        reader.feed(b"".join(e.wire for e in entries))
        assert [r.payload for r in reader.records()] == [e.raw for e in entries]


def test_the_key_schedule_grows_in_order_with_inputs_before_outputs() -> None:
    referee = start("tls13-01-handshake-client")
    referee.play(Move("ClientHello"))
    names = [s.name for s in referee.secrets]
    assert names.index("early_secret") < names.index("handshake_secret") < names.index("client_handshake_traffic_secret")
    assert "master_secret" in names  # the server's Finished arrived: the master secret is known
    every = set(names)
    seen: set[str] = set()
    for secret in referee.secrets:
        assert [i for i in secret.inputs if i in every and i not in seen] == [], secret.name
        seen.add(secret.name)


def test_the_same_seed_gives_the_same_bytes() -> None:
    def wire(seed: int) -> list[bytes]:
        referee = start("tls13-04-client-auth", seed)
        while referee.turn is not None:
            referee.play(referee.solution_move())
        return [e.wire for e in referee.ladder]

    assert wire(5) == wire(5)
    assert wire(5) != wire(6)


# --- TLS 1.2 -------------------------------------------------------------------------------


def test_tls12_server_suite_choices_are_judged_by_the_client_and_the_certificate() -> None:
    referee = start("tls12-02-server")
    not_offered = judged(referee.play(Move("ServerHello", {"cipher_suite": "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"}))).judgement
    assert not not_offered.correct
    assert "illegal_parameter" in not_offered.reaction and "which we did not offer" in not_offered.reaction
    wrong_key = judged(referee.play(Move("ServerHello", {"cipher_suite": "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}))).judgement
    assert wrong_key.headline == "✗ You cannot send ServerHello now"
    assert "needs an ECDSA or ED25519 certificate, and yours holds an RSA key" in wrong_key.explanation
    # RSA key exchange is offered and servable: a right move, and the flight follows it.
    right = judged(referee.play(Move("ServerHello", {"cipher_suite": "TLS_RSA_WITH_AES_128_GCM_SHA256"}))).judgement
    assert right.correct
    referee.play(Move("Certificate"))
    assert referee.solution_move().key == "ServerHelloDone"  # no ServerKeyExchange under RSA


def test_tls12_server_hello_done_too_early_is_unexpected() -> None:
    referee = start("tls12-02-server")
    referee.play(referee.solution_move())  # ServerHello (ECDHE_RSA)
    referee.play(referee.solution_move())  # Certificate
    judgement = judged(referee.play(Move("ServerHelloDone"))).judgement
    assert not judgement.correct
    assert "unexpected_message" in judgement.reaction


def test_tls12_forged_server_key_exchange_calls_for_decrypt_error() -> None:
    referee = start("tls12-06-bad-signature")
    referee.play(Move("ClientHello"))
    wrong = judged(referee.play(Move("Alert", {"alert": "bad_certificate"}))).judgement
    assert wrong.headline == "✗ Wrong alert: the fault calls for decrypt_error"
    assert judged(referee.play(Move("Alert", {"alert": "decrypt_error"}))).judgement.correct
    assert referee.finished


def test_tls12_key_block_shown_encrypts_the_records() -> None:
    referee = start("tls12-03-ecdhe", seed=4)
    while referee.turn is not None:
        referee.play(referee.solution_move())
    secrets = {s.name: s.value for s in referee.secrets}
    assert {"pre_master_secret", "master_secret", "key_block", "client_write_key", "server_write_iv"} <= set(secrets)
    from engine.tls.suites import TrafficKeys

    suite = suite_info(0xCCA9)
    reader = RecordReader()
    reader.set_key(TrafficKeys(secrets["server_write_key"], secrets["server_write_iv"], suite), "server_write_key")
    entries = [e for e in referee.ladder if e.sender is Side.SERVER and e.protected_by == "server_write_key"]
    assert entries
    reader.feed(b"".join(e.wire for e in entries))
    assert [r.payload for r in reader.records()] == [e.raw for e in entries]


# --- TCP then TLS --------------------------------------------------------------------------


def test_tls_records_ride_in_tcp_segments_with_real_seq_and_ack() -> None:
    from engine.tcp.segment import Segment

    referee = start("stack-01-tcp-then-tls13", seed=6)
    while referee.turn is not None:
        referee.play(referee.solution_move())
    world = referee.game.tcp.world
    data = [e for e in referee.ladder if e.kind == "DATA"]
    assert data and all(e.note == "carries TLS" for e in data)
    # Each direction's TCP payloads, in order, are exactly the TLS records that side sent.
    for side in (Side.CLIENT, Side.SERVER):
        segments = [Segment.decode(e.raw, world.ip(side), world.ip(side.other)) for e in data if e.sender is side]
        records = b"".join(e.wire for e in referee.ladder if e.sender is side and e.wire)
        assert b"".join(s.payload for s in segments) == records
        for before, after in zip(segments, segments[1:]):
            assert after.seq == (before.seq + len(before.payload)) % 2**32
    # and every DATA segment is acknowledged by the other side's TCP
    acks = [Segment.decode(e.raw, world.ip(e.sender), world.ip(e.sender.other)) for e in referee.ladder if e.kind == "ACK"]
    for entry in data:
        segment = Segment.decode(entry.raw, world.ip(entry.sender), world.ip(entry.sender.other))
        assert any(a.ack == (segment.seq + len(segment.payload)) % 2**32 for a in acks)


def test_every_ladder_entry_of_a_stack_level_is_announced_as_an_event() -> None:
    from engine.referee import MessageSent

    referee = Referee(load_level("stack-02-tcp-then-tls12"), 2, clock=frozen)
    announced = [e.entry.index for e in referee.start() if isinstance(e, MessageSent)]
    while referee.turn is not None:
        announced += [e.entry.index for e in referee.play(referee.solution_move()) if isinstance(e, MessageSent)]
    assert announced == list(range(len(referee.ladder)))
