#!/usr/bin/env python3
"""t_reviews.py CHECK ARGS... - checks t_reviews.sh cannot do in shell:
  protection BOOK.xlsx           every sheet has <sheetProtection sheet="1">
  unlocked BOOK.xlsx COLS        only cells of the columns COLS (letters)
                                 of data rows are unlocked
  spool DIR SUBJECT_END TO ATT   an .eml whose subject ends with
                                 SUBJECT_END, sent To TO, with attachment
                                 ATT ("-" for none)
Prints "yes" or the reason."""
import email
import email.policy
import os
import re
import sys
import zipfile


def sheets(book):
    z = zipfile.ZipFile(book)
    return z, [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]


def protection(book):
    z, names = sheets(book)
    for n in names:
        if not re.search(r'<sheetProtection[^>]*sheet="1"', z.read(n).decode()):
            return "%s is not protected" % n
    return "yes" if names else "no sheets"


def unlocked(book, cols):
    z, names = sheets(book)
    styles = z.read("xl/styles.xml").decode()
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    xf = re.findall(r"<xf [^>]*?(?:/>|>.*?</xf>)", xfs, re.S)
    open_ = {i for i, x in enumerate(xf) if 'locked="0"' in x}
    for n in names:
        for ref, s in re.findall(r'<c r="([A-Z]+)\d+"(?: s="(\d+)")?', z.read(n).decode()):
            is_open = s != "" and int(s) in open_
            if is_open and ref not in cols:
                return "%s: column %s is unlocked" % (n, ref)
    return "yes"


def spool(d, end, to, att):
    for f in sorted(os.listdir(d)):
        m = email.message_from_binary_file(open(os.path.join(d, f), "rb"),
                                           policy=email.policy.default)
        if not str(m["Subject"]).endswith(end) or to not in str(m["To"]):
            continue
        names = [p.get_filename() for p in m.walk() if p.get_filename()]
        if att == "-" and not names:
            return "yes"
        if att in names:
            return "yes"
        return "attachments %s" % names
    return "no message ending %r to %s" % (end, to)


if __name__ == "__main__":
    c = sys.argv[1]
    print({"protection": protection, "unlocked": unlocked,
           "spool": spool}[c](*sys.argv[2:]))
