use super::*;

/// The empty module with one custom section, so there is content to alter.
fn module() -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    let body = [b"\x04note".as_slice(), b"some content"].concat();
    m.push(0);
    write_leb_u32(&mut m, body.len() as u32);
    m.extend_from_slice(&body);
    m
}

fn key(n: u8) -> SigningKey {
    key_from_seed([n; 32])
}

#[test]
fn a_sealed_module_verifies_and_carries_the_digest_of_everything_before_its_seal() {
    let plain = module();
    let sealed = seal(plain.clone());
    let s = verify(&sealed, &Trust::Intact).expect("intact");
    assert_eq!(s.digest, <[u8; 32]>::from(Sha256::digest(&plain)));
    assert_eq!(s.signer, None);
    // The seal is the last section: header, name, format, kind, digest.
    assert_eq!(sealed.len(), plain.len() + 2 + 1 + SEAL_SECTION.len() + UNSIGNED_LEN);
}

#[test]
fn every_single_byte_change_of_a_sealed_module_is_refused() {
    let sealed = seal(module());
    for at in 0..sealed.len() {
        for flip in [0x01, 0x20, 0x80, 0xff] {
            let mut bad = sealed.clone();
            bad[at] ^= flip;
            assert!(verify(&bad, &Trust::Intact).is_err(), "byte {at} ^ {flip:#x} passed");
        }
    }
}

#[test]
fn a_module_without_a_seal_or_with_bytes_after_it_is_unsealed() {
    assert_eq!(verify(&module(), &Trust::Intact), Err(IntegrityError::Unsealed));
    let mut appended = seal(module());
    appended.extend_from_slice(&[0, 1, 0]); // an empty custom section after the seal
    assert_eq!(verify(&appended, &Trust::Intact), Err(IntegrityError::Unsealed));
    assert!(IntegrityError::Unsealed.may_be_foreign());
}

#[test]
fn a_truncated_module_cannot_be_read() {
    let sealed = seal(module());
    let e = verify(&sealed[..sealed.len() - 1], &Trust::Intact).expect_err("refused");
    assert!(matches!(e, IntegrityError::Malformed(_)), "{e:?}");
    assert_eq!(e.code(), Code::E0501);
}

#[test]
fn a_signed_module_verifies_and_names_its_signer() {
    let signed = sign(&seal(module()), &key(1)).expect("signed");
    let s = verify(&signed, &Trust::Intact).expect("intact");
    assert_eq!(s.signer, Some(key(1).verifying_key()));
    let trusted = Trust::SignedBy(vec![key(2).verifying_key(), key(1).verifying_key()]);
    assert_eq!(verify(&signed, &trusted).expect("trusted").signer, Some(key(1).verifying_key()));
    // Signing again replaces the signature.
    let again = sign(&signed, &key(2)).expect("signed");
    assert_eq!(verify(&again, &Trust::Intact).expect("intact").signer, Some(key(2).verifying_key()));
    assert_eq!(again.len(), signed.len());
}

#[test]
fn a_host_that_requires_a_signature_refuses_unsigned_and_foreign_keys() {
    let trusted = Trust::SignedBy(vec![key(1).verifying_key()]);
    let unsigned = seal(module());
    assert_eq!(verify(&unsigned, &trusted), Err(IntegrityError::NotSigned));
    let other = sign(&unsigned, &key(3)).expect("signed");
    let e = verify(&other, &trusted).expect_err("refused");
    assert_eq!(e, IntegrityError::Untrusted(key(3).verifying_key()));
    assert_eq!(e.code(), Code::E0507);
    assert!(e.message().en.contains(&key_hex(&key(3).verifying_key())), "{:?}", e.message());
}

#[test]
fn a_signed_module_altered_anywhere_is_refused_even_without_a_required_signature() {
    let signed = sign(&seal(module()), &key(1)).expect("signed");
    let n = signed.len();
    for at in 0..n {
        let mut bad = signed.clone();
        bad[at] ^= 0x01;
        let e = verify(&bad, &Trust::Intact).expect_err("refused");
        assert_eq!(e.code(), Code::E0501, "byte {at}: {e:?}");
    }
    // The signature itself (last 64 bytes) and the key before it: a bad signature.
    let mut bad = signed.clone();
    bad[n - 1] ^= 0x01;
    assert_eq!(verify(&bad, &Trust::Intact), Err(IntegrityError::BadSignature));
    // Re-sealing an altered module drops the signature: a host that requires one says so.
    let mut edited = signed.clone();
    edited[20] ^= 0x01;
    let resealed = reseal(&edited).expect("resealed");
    let trusted = Trust::SignedBy(vec![key(1).verifying_key()]);
    assert_eq!(verify(&resealed, &trusted), Err(IntegrityError::NotSigned));
}

#[test]
fn signing_checks_the_seal_first() {
    let mut bad = seal(module());
    bad[10] ^= 0x01;
    assert_eq!(sign(&bad, &key(1)), Err(IntegrityError::Altered));
}

#[test]
fn key_files_round_trip_and_are_not_confused() {
    let k = key(7);
    let secret = secret_key_file(&k);
    let public = public_key_file(&k.verifying_key());
    assert_eq!(read_secret_key(&secret).expect("secret").to_bytes(), k.to_bytes());
    assert_eq!(read_public_key(&public).expect("public"), k.verifying_key());
    assert_eq!(read_public_key(&key_hex(&k.verifying_key())).expect("bare hex"), k.verifying_key());
    assert!(read_public_key(&secret).expect_err("secret as public").contains("secret key"));
    assert!(read_secret_key(&public).expect_err("public as secret").contains("public key"));
    assert!(read_public_key("# nothing\n").is_err());
    assert!(read_public_key(&format!("{public}{public}")).is_err());
    let plus = format!("qingdan-ed25519-public +{}", &key_hex(&k.verifying_key())[1..]);
    assert!(read_public_key(&plus).is_err(), "signs are not hex digits");
}
