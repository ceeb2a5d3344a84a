//! A self-check of propagation: one more round over every speaker, prefix and session changes
//! nothing (used by the property tests).

use super::*;
use crate::model::*;

impl Bgp {
    /// Re-run one round over every speaker, prefix and session: selection must reproduce every
    /// selected set and every export what its receiver holds. `Ok` means propagation is at a fixed
    /// point (running it again would change nothing).
    pub fn check_fixed_point(&self, m: &Model) -> Result<(), String> {
        let mut b = self.clone();
        for si in 0..self.speakers.len() {
            let s = SpeakerId(si as u32);
            let prefixes: Vec<PrefixId> = self.ribs[si].keys().copied().collect();
            for p in prefixes {
                let e = &self.ribs[si][&p];
                let pool = b.pool(s, e);
                if b.best_of(s, &pool) != e.best {
                    return Err(format!(
                        "{} {}: selection changed",
                        speaker_name(m, self.speakers[si]),
                        self.interner.net(p)
                    ));
                }
                for &out in &self.out[si] {
                    let (offer, rejection) = b.export(m, out, p, &pool);
                    let (offer, _) = match offer {
                        Some(c) => b.import(m, out, p, c),
                        None => (None, rejection),
                    };
                    let to = self.sessions[out.0 as usize].to;
                    let held = self.ribs[to.0 as usize]
                        .get(&p)
                        .and_then(|x| x.ins.iter().find(|c| c.via == Some(out)).copied());
                    // Paths interned again in the copy keep their ids: compare the AS numbers.
                    let same = match (offer, held) {
                        (None, None) => true,
                        (Some(a), Some(h)) => {
                            b.interner.asns(a.path) == self.interner.asns(h.path)
                                && a.origin == h.origin
                                && a.next_hop == h.next_hop
                        }
                        _ => false,
                    };
                    if !same {
                        return Err(format!(
                            "{} → {} for {}: the export changed",
                            speaker_name(m, self.speakers[si]),
                            speaker_name(m, self.speakers[to.0 as usize]),
                            self.interner.net(p)
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}
