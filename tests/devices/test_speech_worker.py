"""The speech worker process with real espeak-ng: WAVs in Mandarin and English with the
right duration and real sound, elder mode slower, the prompt cache, interruption, no
sound card as a status, and a hung worker restarted."""
import os
import queue
import signal
from pathlib import Path

import pytest

from devices.health import DeviceState
from devices.speech import Speech, SpeechSettings, wav_info

ZH = "请将身份证放在读卡区"
EN = "Please place your ID card on the reader"
# Plays for as long as a long prompt would; this machine has no sound card to play on.
SLOW_PLAYER = ("sh", "-c", "sleep 30", "player")
NO_CARD_PLAYER = ("aplay", "-q", "-D", "hw:CARD=KioskNoSuchCard")


@pytest.fixture
def speech(tmp_path):
    made = []

    def make(**kwargs):
        s = Speech(tmp_path / "cache", **kwargs)
        s.open()
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def test_mandarin_and_english_wavs_have_speech_in_them(speech, tmp_path):
    s = speech()
    zh, en = tmp_path / "zh.wav", tmp_path / "en.wav"
    assert s.render_to_file(ZH, zh, "zh").outcome == "rendered"
    assert s.render_to_file(EN, en, "en").outcome == "rendered"
    zi, ei = wav_info(zh), wav_info(en)
    assert 1.0 < zi.seconds < 8.0 and not zi.silent
    assert 1.0 < ei.seconds < 8.0 and not ei.silent
    assert zh.read_bytes() != en.read_bytes()


def test_elder_mode_speaks_slower_and_volume_scales_loudness(speech, tmp_path):
    s = speech(settings=SpeechSettings(rate_wpm=170, elder_rate_wpm=110, volume=0.3, elder_volume=1.0))
    s.render_to_file(ZH, tmp_path / "normal.wav")
    s.elder_mode = True
    s.render_to_file(ZH, tmp_path / "elder.wav")
    normal, elder = wav_info(tmp_path / "normal.wav"), wav_info(tmp_path / "elder.wav")
    assert elder.seconds > normal.seconds * 1.25
    assert elder.rms > normal.rms * 2


def test_fixed_prompts_come_from_the_cache_the_second_time(speech, tmp_path):
    s = speech()
    first = s.render_to_file(ZH, tmp_path / "a.wav", cache=True)
    second = s.render_to_file(ZH, tmp_path / "b.wav", cache=True)
    assert (first.cached, second.cached) == (False, True)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()
    assert len(list((tmp_path / "cache").glob("*.wav"))) == 1
    s.elder_mode = True  # another voice setting is another cache entry
    assert not s.render_to_file(ZH, tmp_path / "c.wav", cache=True).cached


def test_no_sound_card_is_a_status_not_a_crash(speech):
    s = speech(player=NO_CARD_PLAYER)
    result = s.wait_for(s.speak(ZH, cache=True))
    assert result.outcome == "play_error" and result.detail
    status = s.status()
    assert status.state is DeviceState.NO_DEVICE and "audio output" in status.detail
    assert s.wait_for(s.speak("继续", "zh")).outcome == "play_error"  # still serving


def test_newer_speech_interrupts_and_replaces_waiting_speech(speech):
    s = speech(player=SLOW_PLAYER)
    results: queue.Queue = queue.Queue()
    s.subscribe(results.put)
    first = s.speak("第一条很长的提示", priority=0)
    for _ in range(100):  # wait until the first is playing
        s.wait_for(first, timeout=0.3)
        if s._process is not None and _children_named(s._process.pid, "sleep"):
            break
    else:
        pytest.fail("the first prompt never started playing")
    low = s.speak("低优先级", priority=-1)  # waits behind the playing prompt
    newest = s.speak("Card read", "en", priority=0)  # same priority as the playing one: cuts in
    outcomes = {}
    while len(outcomes) < 2:
        r = results.get(timeout=30)
        outcomes[r.seq] = r.outcome
    assert outcomes == {first: "interrupted", low: "dropped"}
    assert newest not in outcomes  # now playing


def _children_named(pid: int, name: str) -> bool:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if f"({name})" in stat:
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                parent = Path(f"/proc/{ppid}/stat")
                if ppid == pid or (parent.exists() and int(parent.read_text().rsplit(")", 1)[1].split()[1]) == pid):
                    return True
    return False


def test_a_hung_worker_is_killed_and_restarted(speech, tmp_path):
    # A render goes without beats; under a loaded machine one may take over a second.
    s = speech(settings=SpeechSettings(hang_s=4.0))
    assert s.render_to_file(EN, tmp_path / "before.wav", "en").outcome == "rendered"
    hung_pid = s._process.pid
    os.kill(hung_pid, signal.SIGSTOP)  # a worker that stops answering, as a wedged engine would
    for _ in range(100):
        if s.restarts:
            break
        s.wait_for(-1, timeout=0.2)
    assert s.restarts == 1 and s._process.pid != hung_pid
    assert s.render_to_file(EN, tmp_path / "after.wav", "en").outcome == "rendered"
    assert not wav_info(tmp_path / "after.wav").silent


def test_a_hung_engine_is_killed_and_reported(speech, tmp_path):
    hang = tmp_path / "espeak-hang"
    hang.write_text('#!/bin/sh\nexec sleep 30\n')
    hang.chmod(0o755)
    s = speech(engine_command=str(hang), engine_timeout_s=0.5)
    result = s.render_to_file(ZH, tmp_path / "x.wav")
    assert result.outcome == "engine_error" and "hung" in result.detail
    assert s.status().state is DeviceState.HARDWARE_ERROR
    assert not s.self_test().passed


def test_self_test_renders_both_languages(speech):
    s = speech()
    result = s.self_test()
    assert "zh: ok" in result.detail and "en: ok" in result.detail


def test_speaking_while_the_worker_is_being_restarted_does_not_wait_for_it(speech):
    """The supervisor holds the facade's lock while it kills and spawns a worker (up to
    seconds); speak() runs on the UI thread and must return at once, the words kept."""
    import threading

    s = speech(player=NO_CARD_PLAYER)
    seqs = []
    with s._lock:  # as during a restart
        caller = threading.Thread(target=lambda: seqs.append(s.speak(EN, "en")))
        caller.start()
        caller.join(timeout=10)
        assert not caller.is_alive() and seqs  # returned while the lock was held
    assert s.wait_for(seqs[0], timeout=30).outcome in ("played", "play_error")  # and then spoken


def test_what_is_said_before_open_waits_for_it_and_starts_no_worker(tmp_path):
    """The attract screen speaks before the kiosk's first frame; its devices open after
    it. No interpreter starts up beside that frame: the prompt waits and is spoken then."""
    s = Speech(tmp_path / "cache", player=("true",))
    try:
        seq = s.speak(EN, "en")
        assert s._process is None and s.status().detail == "not opened"
        s.open()
        result = s.wait_for(seq)
        assert result.outcome == "played", result
    finally:
        s.close()
