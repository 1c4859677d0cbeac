//! The file-system rules of every srtlog read and write: only regular files are read, never
//! more than they held when opened, and srtlog never writes through a symbolic link.
//!
//! Run directories are untrusted: on a shared file system anyone who can create a run directory
//! can put a link to `/dev/zero`, a FIFO, or a link into someone else's files where srtlog
//! reads or writes. So:
//!
//! - [`open_regular`] is the one way srtlog opens a file to read it. It opens without blocking
//!   (a FIFO with no writer would otherwise block the `open` forever), checks that the *opened
//!   handle* is a regular file (not the path, which may be swapped between a check and the
//!   open), and returns a reader limited to the length the file had then: a device is refused,
//!   and a log that grows while it is read cannot keep a load going.
//! - [`refuse_symlink`] is the check srtlog makes on a path it writes in or below: the cache
//!   and the dataset refuse a directory or file of theirs that is a symbolic link
//!   ([`is_symlink_refusal`] tells that error apart). [`AtomicFile`](crate::AtomicFile) makes it
//!   on its directory, creates its temporary file with `create_new` (which never follows a
//!   final link) and renames over the target (which replaces a link, never writes through it).
//!
//! What is left: a directory *above* the one checked may still be swapped for a link between
//! the check and the write (std has no `openat`); the check shrinks that window to microseconds.

use std::error::Error;
use std::fmt;
use std::fs::{self, File, FileType, OpenOptions};
use std::io::{self, Read, Take};
use std::path::Path;

/// Whether [`open_regular`] follows a symbolic link at the path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Links {
    /// Follow it: run files may be links to the real logs (users link whole trees).
    Follow,
    /// Refuse it: srtlog's own files (cache, dataset) are never links.
    Refuse,
}

/// A regular file opened by [`open_regular`]: reads stop at the length it had when opened.
#[derive(Debug)]
pub struct RegularFile {
    reader: Take<File>,
    len: u64,
}

impl RegularFile {
    /// The file's length when it was opened: the most that will be read.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file was empty when it was opened.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The open handle, without the length limit: for readers that seek to what they need
    /// (a Parquet footer) rather than read to the end.
    pub fn into_file(self) -> File {
        self.reader.into_inner()
    }

    /// The rest of the file (up to its length at open), read into memory.
    pub fn read_all(mut self) -> io::Result<Vec<u8>> {
        // The length is only a capacity hint: a file truncated meanwhile reads shorter.
        let mut bytes = Vec::with_capacity(usize::try_from(self.len).unwrap_or(0).min(64 << 20));
        self.reader.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

impl Read for RegularFile {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

/// Opens `path` for reading if it is a regular file (see the [module docs](self)); the error
/// for anything else (a directory, device, FIFO or socket, or a link under [`Links::Refuse`])
/// says what it is. The error does not repeat the path: callers name the file.
pub fn open_regular(path: &Path, links: Links) -> io::Result<RegularFile> {
    // A first check on the path, so that a device is refused without being opened at all
    // (opening some devices has effects); the check that counts is on the handle, below.
    let path_meta = match links {
        Links::Follow => fs::metadata(path)?,
        Links::Refuse => fs::symlink_metadata(path)?,
    };
    if path_meta.file_type().is_symlink() {
        return Err(symlink_refusal());
    }
    if !path_meta.is_file() {
        return Err(not_regular(path_meta.file_type()));
    }
    let file = open_options(links).open(path).map_err(|e| refusal_of_loop(e, links))?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let len = meta.len();
    Ok(RegularFile { reader: file.take(len), len })
}

#[cfg(unix)]
fn open_options(links: Links) -> OpenOptions {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting for one
    // (it has no effect on reading a regular file). O_NOCTTY: a terminal never becomes ours.
    let mut flags = libc::O_NONBLOCK | libc::O_NOCTTY;
    if links == Links::Refuse {
        flags |= libc::O_NOFOLLOW;
    }
    options.read(true).custom_flags(flags);
    options
}

#[cfg(not(unix))]
fn open_options(_links: Links) -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true);
    options
}

/// Makes `options` refuse to open a symbolic link at the path (`O_NOFOLLOW` on Unix; the open
/// fails, and [`is_symlink_refusal`] is true of the error once passed through
/// [`refusal_of`]). For srtlog's own files that are opened in place rather than replaced, such
/// as a lock file.
pub fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
}

/// The error of an open made with [`no_follow`], with a link's `ELOOP` turned into the refusal.
pub fn refusal_of(err: io::Error) -> io::Error {
    refusal_of_loop(err, Links::Refuse)
}

/// `O_NOFOLLOW` on a link fails with `ELOOP`: report it as the refusal it is.
fn refusal_of_loop(err: io::Error, links: Links) -> io::Error {
    #[cfg(unix)]
    if links == Links::Refuse && err.raw_os_error() == Some(libc::ELOOP) {
        return symlink_refusal();
    }
    let _ = links;
    err
}

/// What a file type is, in words, for messages: `character device`, `FIFO`, ...
pub fn describe_file_type(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "character device";
        }
        if file_type.is_block_device() {
            return "block device";
        }
        if file_type.is_fifo() {
            return "FIFO";
        }
        if file_type.is_socket() {
            return "socket";
        }
    }
    if file_type.is_symlink() {
        "symbolic link"
    } else if file_type.is_dir() {
        "directory"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

fn not_regular(file_type: FileType) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({}); not read", describe_file_type(file_type)),
    )
}

/// The error of a path srtlog will not write through because it is a symbolic link.
#[derive(Debug)]
struct SymlinkRefused;

impl fmt::Display for SymlinkRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("is a symbolic link; srtlog does not read or write its own files through links")
    }
}

impl Error for SymlinkRefused {}

fn symlink_refusal() -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, SymlinkRefused)
}

/// `Ok` when `path` is not a symbolic link (or does not exist); the refusal otherwise, for
/// which [`is_symlink_refusal`] is true. Other errors of `lstat` are returned as they are.
pub fn refuse_symlink(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => Err(symlink_refusal()),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Whether `err` is the refusal of [`refuse_symlink`] (or of [`open_regular`] under
/// [`Links::Refuse`]).
pub fn is_symlink_refusal(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|inner| inner.is::<SymlinkRefused>())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::{symlink, FileTypeExt};
    use std::sync::mpsc;
    use std::time::Duration;

    /// Runs `f` on a thread and fails the test if it takes longer than 10 s (a regression must
    /// fail, not hang the suite).
    fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(10)).expect("open_regular hung")
    }

    fn mkfifo(path: &Path) {
        let status = std::process::Command::new("mkfifo").arg(path).status().expect("mkfifo runs");
        assert!(status.success());
    }

    #[test]
    fn devices_fifos_and_directories_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let zero = dir.path().join("zero");
        symlink("/dev/zero", &zero).unwrap();
        for (path, what) in [
            (fifo, "FIFO"),
            (zero, "character device"),
            ("/dev/urandom".into(), "character device"),
            (dir.path().to_path_buf(), "directory"),
        ] {
            let err = within_10s(move || open_regular(&path, Links::Follow).unwrap_err());
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert_eq!(err.to_string(), format!("not a regular file ({what}); not read"));
        }
    }

    #[test]
    fn opening_a_fifo_never_waits_for_a_writer() {
        // What the handle check relies on when a FIFO is swapped in after the path check: the
        // open itself returns (a blocking open of a FIFO with no writer never would).
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        mkfifo(&fifo);
        let file = within_10s(move || open_options(Links::Follow).open(&fifo).unwrap());
        assert!(file.metadata().unwrap().file_type().is_fifo());
    }

    #[test]
    fn a_growing_file_is_read_to_its_length_at_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("worker.out");
        fs::write(&path, b"line 1\nline 2\n").unwrap();
        let mut file = open_regular(&path, Links::Follow).unwrap();
        assert_eq!(file.len(), 14);
        // The job writes on while srtlog reads.
        let mut writer = OpenOptions::new().append(true).open(&path).unwrap();
        writer.write_all(b"line 3\n").unwrap();
        let mut first = [0u8; 7];
        file.read_exact(&mut first).unwrap();
        writer.write_all(b"line 4\n").unwrap();
        let rest = file.read_all().unwrap();
        assert_eq!([&first[..], &rest].concat(), b"line 1\nline 2\n");
        assert_eq!(open_regular(&path, Links::Follow).unwrap().read_all().unwrap().len(), 28);
    }

    #[test]
    fn links_are_followed_or_refused_as_asked() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("target");
        fs::write(&target, b"data").unwrap();
        let link = dir.path().join("link");
        symlink(&target, &link).unwrap();
        assert_eq!(open_regular(&link, Links::Follow).unwrap().read_all().unwrap(), b"data");
        let err = open_regular(&link, Links::Refuse).unwrap_err();
        assert!(is_symlink_refusal(&err), "{err}");
        assert_eq!(open_regular(&target, Links::Refuse).unwrap().read_all().unwrap(), b"data");

        assert!(is_symlink_refusal(&refuse_symlink(&link).unwrap_err()));
        refuse_symlink(&target).unwrap();
        refuse_symlink(&dir.path().join("missing")).unwrap();
        assert!(!is_symlink_refusal(&io::Error::from(io::ErrorKind::InvalidInput)));
    }
}
