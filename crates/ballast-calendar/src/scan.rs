//! A cheap first pass over the raw bytes, before the iCalendar parser sees them.
//!
//! It enforces the structural limits (lines, blocks, nesting), rejects files that are not
//! iCalendar, cut off, or whose `BEGIN:`/`END:` lines do not pair up, and remembers on which
//! line each block and each date property starts, so that later errors can name a line. It
//! unfolds continuation lines (RFC 5545 §3.1) but keeps only the first few bytes of each
//! logical line, so its memory does not grow with line length.

use crate::error::{Block, ImportError, StructureProblem};
use crate::limits;

/// Line numbers (1-based; 0 = absent) of one block and of the properties we may complain about.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct BlockLines {
    pub begin: u32,
    pub dtstart: u32,
    pub dtend: u32,
    pub duration: u32,
    pub rrule: u32,
    pub rdate: u32,
    pub exdate: u32,
    pub recurrence_id: u32,
}

/// The blocks of each top-level `VCALENDAR`, in `BEGIN:` order; index 0 is the calendar itself.
/// This is the order in which the parser numbers components.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub calendars: Vec<Vec<BlockLines>>,
}

/// How many leading bytes of a logical line are kept: enough for any property or block name.
const HEAD: usize = 96;

struct Logical {
    line: u32,
    head: Vec<u8>,
}

pub(crate) fn scan(bytes: &[u8]) -> Result<Scan, ImportError> {
    if bytes.len() > limits::MAX_FILE_BYTES {
        return Err(ImportError::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut state = State::default();
    let mut current: Option<Logical> = None;
    for (index, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if let Some(rest) = raw.strip_prefix(b" ").or_else(|| raw.strip_prefix(b"\t"))
            && let Some(logical) = current.as_mut()
        {
            let room = HEAD.saturating_sub(logical.head.len());
            logical.head.extend_from_slice(&rest[..rest.len().min(room)]);
            continue;
        }
        if let Some(done) = current.take() {
            state.logical(&done)?;
        }
        current = Some(Logical { line, head: raw[..raw.len().min(HEAD)].to_vec() });
    }
    if let Some(done) = current.take() {
        state.logical(&done)?;
    }
    if !state.open.is_empty() {
        return Err(ImportError::Truncated);
    }
    if state.scan.calendars.is_empty() {
        return Err(ImportError::NotICalendar);
    }
    Ok(state.scan)
}

#[derive(Default)]
struct State {
    scan: Scan,
    /// Names of the open blocks (upper-cased), innermost last, with their index in the calendar.
    open: Vec<(Vec<u8>, usize)>,
    lines: usize,
    components: usize,
}

impl State {
    fn logical(&mut self, logical: &Logical) -> Result<(), ImportError> {
        let head = logical.head.as_slice();
        if head.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        self.lines += 1;
        if self.lines > limits::MAX_LINES {
            return Err(ImportError::TooManyLines);
        }
        let name_end = head.iter().position(|b| *b == b':' || *b == b';').unwrap_or(head.len());
        let name = trim(&head[..name_end]);
        let value = head.iter().position(|b| *b == b':').map_or(&[][..], |colon| trim(&head[colon + 1..]));
        let line = logical.line;

        if name.eq_ignore_ascii_case(b"BEGIN") {
            return self.begin(value, line);
        }
        if name.eq_ignore_ascii_case(b"END") {
            return self.end(value, line);
        }
        if self.scan.calendars.is_empty() {
            // Whatever comes first must open a calendar.
            return Err(ImportError::NotICalendar);
        }
        if let Some(&(_, index)) = self.open.last()
            && let Some(block) = self.scan.calendars.last_mut().and_then(|c| c.get_mut(index))
        {
            let slot = match name.to_ascii_uppercase().as_slice() {
                b"DTSTART" => &mut block.dtstart,
                b"DTEND" => &mut block.dtend,
                b"DURATION" => &mut block.duration,
                b"RRULE" => &mut block.rrule,
                b"RDATE" => &mut block.rdate,
                b"EXDATE" => &mut block.exdate,
                b"RECURRENCE-ID" => &mut block.recurrence_id,
                _ => return Ok(()),
            };
            if *slot == 0 {
                *slot = line;
            }
        }
        Ok(())
    }

    fn begin(&mut self, value: &[u8], line: u32) -> Result<(), ImportError> {
        let is_calendar = value.eq_ignore_ascii_case(b"VCALENDAR");
        if self.open.is_empty() {
            if !is_calendar {
                return Err(if self.scan.calendars.is_empty() {
                    ImportError::NotICalendar
                } else {
                    ImportError::Malformed { line, problem: StructureProblem::OutsideCalendar }
                });
            }
            self.scan.calendars.push(Vec::new());
        }
        self.components += 1;
        if self.components > limits::MAX_COMPONENTS {
            return Err(ImportError::TooManyComponents);
        }
        if self.open.len() >= limits::MAX_DEPTH {
            return Err(ImportError::TooDeeplyNested { line });
        }
        let blocks = self.scan.calendars.last_mut().expect("a calendar is open");
        blocks.push(BlockLines { begin: line, ..BlockLines::default() });
        self.open.push((value.to_ascii_uppercase(), blocks.len() - 1));
        Ok(())
    }

    fn end(&mut self, value: &[u8], line: u32) -> Result<(), ImportError> {
        if self.scan.calendars.is_empty() {
            return Err(ImportError::NotICalendar);
        }
        let Some((open, _)) = self.open.pop() else {
            return Err(ImportError::Malformed { line, problem: StructureProblem::EndWithoutBegin });
        };
        if !open.eq_ignore_ascii_case(value) {
            return Err(ImportError::Malformed {
                line,
                problem: StructureProblem::MismatchedEnd {
                    open: Block::from_name(&open),
                    found: Block::from_name(value),
                },
            });
        }
        Ok(())
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_lines_of_blocks_and_dates() {
        let text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Europe/London:2026\r\n 0105T090000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let scan = scan(text.as_bytes()).unwrap();
        assert_eq!(scan.calendars.len(), 1);
        let blocks = &scan.calendars[0];
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].begin, 3);
        assert_eq!(blocks[1].dtstart, 5);
        assert_eq!(blocks[1].rrule, 7);
    }

    #[test]
    fn folded_begin_is_still_seen() {
        let text = "BEGIN:VCALENDAR\nBEG\n IN:VEV\n ENT\nEND:VEVENT\nEND:VCALENDAR\n";
        let scan = scan(text.as_bytes()).unwrap();
        assert_eq!(scan.calendars[0].len(), 2);
    }

    #[test]
    fn structure_errors() {
        assert_eq!(scan(b"").unwrap_err(), ImportError::NotICalendar);
        assert_eq!(scan(b"hello\nBEGIN:VCALENDAR\nEND:VCALENDAR\n").unwrap_err(), ImportError::NotICalendar);
        assert_eq!(scan(b"BEGIN:VCARD\nEND:VCARD\n").unwrap_err(), ImportError::NotICalendar);
        assert_eq!(scan(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\n").unwrap_err(), ImportError::Truncated);
        assert!(matches!(
            scan(b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VALARM\nEND:VCALENDAR\n").unwrap_err(),
            ImportError::Malformed { line: 3, problem: StructureProblem::MismatchedEnd { .. } }
        ));
        assert!(matches!(
            scan(b"BEGIN:VCALENDAR\nEND:VCALENDAR\nEND:VCALENDAR\n").unwrap_err(),
            ImportError::Malformed { line: 3, problem: StructureProblem::EndWithoutBegin }
        ));
    }
}
