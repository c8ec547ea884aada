"""ICAO 9303 Part 11 worked example (Appendix D to Part 11), value by value; the values
also stand in devices.md of the project's reference notes."""
from devices.idcard.icao import crypto, sm
from devices.idcard.icao.mrz import check_digit, mrz_information, normalise_mrz_information

H = bytes.fromhex
MRZ_INFO = "L898902C<369080619406236"
K_ENC = H("AB94FDECF2674FDFB9B391F85D7F76F2")
K_MAC = H("7962D9ECE03D1ACD4C76089DCE131543")
RND_IC = H("4608F91988702212")
RND_IFD = H("781723860C06C226")
K_IFD = H("0B795240CB7049B01C19B33E32804F0B")
K_IC = H("0B4F80323EB3191CB04970CB4052790B")


def test_mrz_information_and_check_digits():
    assert check_digit("L898902C<") == "3"
    assert check_digit("690806") == "1"
    assert check_digit("940623") == "6"
    assert mrz_information("L898902C", "690806", "940623") == MRZ_INFO
    assert normalise_mrz_information("l898902c<,690806,940623") == MRZ_INFO


def test_key_seed_and_basic_access_keys():
    seed = crypto.key_seed(MRZ_INFO)
    assert seed == H("239AB9CB282DAF66231DC5A4DF6BFBAE")
    assert crypto.kdf(seed, crypto.ENC) == K_ENC
    assert crypto.kdf(seed, crypto.MAC) == K_MAC


def test_mutual_authentication_both_halves():
    cmd = sm.external_authenticate_data(K_ENC, K_MAC, RND_IFD, RND_IC, K_IFD)
    assert cmd[:32] == H("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
    assert cmd[32:] == H("5F1448EEA8AD90A7")
    # The chip's answer E_IC || M_IC from the example.
    answer = H("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F2F2D235D074D7449")
    rnd_ic, k_ic = sm.check_card_answer(K_ENC, K_MAC, answer, RND_IFD)
    assert (rnd_ic, k_ic) == (RND_IC, K_IC)


def test_session_keys_and_send_sequence_counter():
    keys = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    assert keys.ks_enc == H("979EC13B1CBFE9DCD01AB0FED307EAE5")
    assert keys.ks_mac == H("F1CB1F1FB5ADF208806B89DC579DC1F8")
    assert keys.ssc.to_bytes(8, "big") == H("887022120C06C226")


def test_protected_select_and_read_binary_match_the_example():
    keys = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    select = sm.protect_command(keys, H("00A4020C02011E"))
    assert select == H("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    data, sw = sm.unprotect_response(keys, H("990290008E08FA855A5D4C50A8ED9000"))
    assert (data, sw) == (b"", H("9000"))
    read = sm.protect_command(keys, H("00B0000004"))
    assert read == H("0CB000000D9701048E08ED6705417E96BA5500")
    data, sw = sm.unprotect_response(keys, H("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"))
    assert (data, sw) == (H("60145F01"), H("9000"))


def test_the_chip_side_reads_the_terminals_commands():
    terminal = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    chip = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    wrapped = sm.protect_command(terminal, H("00A4020C02011E"))
    assert sm.unprotect_command(chip, wrapped) == H("00A4020C02011E")
    answer = sm.protect_response(chip, H("60145F01"), H("9000"), include_do99=False)
    assert sm.unprotect_response(terminal, answer) == (H("60145F01"), H("9000"))


def test_an_extended_length_command_stays_extended_under_secure_messaging():
    """INTERNAL AUTHENTICATE for a 2048-bit RSA key's answer: Le 0000 in DO97, the protected
    command in extended form (00, a two-byte Lc, Le 0000), read back as it was by the chip."""
    terminal = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    chip = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    plain = H("00880000000008") + bytes(range(8)) + H("0000")
    wrapped = sm.protect_command(terminal, plain)
    assert wrapped[:5] == H("0C88000000") and int.from_bytes(wrapped[5:7], "big") == len(wrapped) - 9
    assert wrapped[-2:] == H("0000") and H("97020000") in wrapped and sm.is_extended(wrapped)
    assert sm.unprotect_command(chip, wrapped) == H("0088000008") + bytes(range(8)) + H("0000")
    assert not sm.is_extended(sm.protect_command(terminal, H("00B0000004")))


def test_a_tampered_response_is_refused():
    keys = sm.derive_session(K_IFD, K_IC, RND_IC, RND_IFD)
    sm.protect_command(keys, H("00A4020C02011E"))
    bad = bytearray(H("990290008E08FA855A5D4C50A8ED9000"))
    bad[-3] ^= 1
    try:
        sm.unprotect_response(keys, bytes(bad))
    except sm.SecureMessagingError:
        pass
    else:
        raise AssertionError("a response with a wrong MAC was accepted")
