"""`kiosk-diag tts say TEXT [--lang L] [--out FILE.wav] [--elder]`.

With --out the speech is written to a WAV file (no sound card needed) and its duration
and loudness are printed; without it the text is played through aplay. Exit codes:
0 ok, 4 no audio output (playback failed), 5 speech engine failed or silent."""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

EXIT_OK, EXIT_NO_AUDIO, EXIT_ENGINE = 0, 4, 5


def register(subparsers) -> None:
    parser = subparsers.add_parser("tts", help="speech output")
    actions = parser.add_subparsers(dest="action", required=True)
    say = actions.add_parser("say", help="speak or render a text")
    say.add_argument("text")
    say.add_argument("--lang", default="zh", help="zh (Mandarin, default) or en")
    say.add_argument("--out", help="write a WAV file instead of playing")
    say.add_argument("--elder", action="store_true", help="elder mode: slower and louder")
    say.set_defaults(handler=_say)


def _say(args) -> int:
    from devices.speech import Speech, wav_info

    with tempfile.TemporaryDirectory(prefix="kiosk-diag-tts-") as cache:
        speech = Speech(Path(cache))
        speech.elder_mode = args.elder
        speech.open()
        try:
            if args.out:
                result = speech.render_to_file(args.text, Path(args.out), args.lang)
                if result.outcome != "rendered":
                    print(json.dumps({"error": result.detail or result.outcome}, ensure_ascii=False))
                    return EXIT_ENGINE
                info = wav_info(Path(args.out))
                print(json.dumps({"file": args.out, "seconds": round(info.seconds, 2), "rms": round(info.rms, 1),
                                  "silent": info.silent}))
                return EXIT_ENGINE if info.silent else EXIT_OK
            result = speech.wait_for(speech.speak(args.text, args.lang))
            print(json.dumps({"outcome": result.outcome, "detail": result.detail,
                              "status": speech.status().state.value}, ensure_ascii=False))
            if result.outcome == "played":
                return EXIT_OK
            return EXIT_NO_AUDIO if result.outcome == "play_error" else EXIT_ENGINE
        finally:
            speech.close()
