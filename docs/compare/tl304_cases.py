"""The input of docs/tl304-compared.md: network calls, each in a numbered case, that
timeoutlint (TL304), Ruff (S113) and Bandit (B113) are all run on by compare_tl304.py.

This file is never executed, only linted. Each case is a function under a comment
``# case N: <what>``; a finding belongs to the case whose lines it falls in.

SHOULD_FLAG is the ground truth the page scores the tools against: for each case, whether
the call is a real problem (it can block forever because nothing bounds how long it waits)
and why in one line. "Debatable" marks the cases where a careful reviewer could disagree.
It is read with ``ast.literal_eval``: keep it a literal.
"""

import http.client
import ftplib
import imaplib
import poplib
import smtplib
import socket
import urllib.request

import httpx
import requests

SHOULD_FLAG = {
    1: (True, "requests has no default timeout: a silent server blocks forever"),
    2: (True, "requests has no default timeout: a silent server blocks forever"),
    3: (False, "a timeout is given"),
    4: (True, "timeout=None is requests' 'wait forever' spelled out (timeoutlint reports it as TL305, not TL304)"),
    5: (True, "requests.request() is what get/post call: same missing timeout"),
    6: (True, "the same requests.get, imported by name"),
    7: (True, "the same requests.get, through an alias of the module"),
    8: (True, "requests.api.get is the function requests.get re-exports"),
    9: (True, "a requests.Session has no default timeout either"),
    10: (True, "a requests.Session has no default timeout either"),
    11: (True, "a requests.Session has no default timeout either"),
    12: (True, "a requests.Session has no default timeout either"),
    13: (True, "requests.session() returns a plain requests.Session"),
    14: (True, "the subclass overrides neither request() nor send() and sets no timeout (it only adds a header): a plain Session"),
    15: (True, "urlopen's default is socket.getdefaulttimeout(), None unless the program sets one"),
    16: (False, "the third positional argument of urlopen is the timeout (10 s)"),
    17: (True, "OpenerDirector.open has urlopen's default: none"),
    18: (True, "create_connection's default is the global default timeout: none"),
    19: (True, "the connection's requests wait with the global default timeout: none"),
    20: (True, "SMTP(host) connects in the constructor, with no timeout"),
    21: (True, "FTP(host) connects in the constructor, with no timeout"),
    22: (True, "IMAP4_SSL(host) connects in the constructor, with no timeout"),
    23: (True, "POP3(host) connects in the constructor, with no timeout"),
    24: (False, "httpx times out after 5 seconds by default"),
    25: (False, "debatable: the caller's **kwargs may carry the timeout; this wrapper cannot know"),
    26: (False, "dict.get and os.environ.get do no I/O"),
    27: (False, "debatable: the parameter may be a requests.Session, but nothing in the file says what it is"),
    28: (False, "`requests` here is mylib's, not the requests library"),
}


# case 1: requests.get() without a timeout
def case_1(url):
    return requests.get(url).json()


# case 2: requests.post() without a timeout
def case_2(url, payload):
    return requests.post(url, json=payload)


# case 3: requests.get() with timeout=5
def case_3(url):
    return requests.get(url, timeout=5).json()


# case 4: requests.get() with timeout=None
def case_4(url):
    return requests.get(url, timeout=None).json()


# case 5: requests.request("PUT", ...) without a timeout
def case_5(url, body):
    return requests.request("PUT", url, data=body)


# case 6: `from requests import get`, then get(url)
def case_6(url):
    from requests import get

    return get(url).text


# case 7: `import requests as r`, then r.get(url)
def case_7(url):
    import requests as r

    return r.get(url).text


# case 8: requests.api.get(url)
def case_8(url):
    return requests.api.get(url).text


# case 9: s = requests.Session(); s.get(url)
def case_9(urls):
    s = requests.Session()
    return [s.get(url).status_code for url in urls]


# case 10: `with requests.Session() as s:` then s.post(url)
def case_10(url, rows):
    with requests.Session() as s:
        for row in rows:
            s.post(url, json=row)


# case 11: self.session set in __init__, used in a method
class Case11Client:
    def __init__(self, base_url):
        self.base_url = base_url
        self.session = requests.Session()

    def user(self, name):
        return self.session.get(f"{self.base_url}/users/{name}").json()


# case 12: a getter function returning a session
def make_session():
    session = requests.Session()
    session.headers["User-Agent"] = "reporter/1.0"
    return session


def case_12(url):
    return make_session().get(url).json()


# case 13: requests.session() (lower case), then s.get(url)
def case_13(url):
    s = requests.session()
    return s.get(url).text


# case 14: a session of a subclass of requests.Session that sets no timeout
class TokenSession(requests.Session):
    def __init__(self, token):
        super().__init__()
        self.headers["Authorization"] = f"Bearer {token}"


def case_14(url, token):
    return TokenSession(token).get(url).json()


# case 15: urllib.request.urlopen(url)
def case_15(url):
    with urllib.request.urlopen(url) as response:
        return response.read()


# case 16: urlopen(url, None, 10): positional timeout
def case_16(url):
    with urllib.request.urlopen(url, None, 10) as response:
        return response.read()


# case 17: build_opener().open(url)
def case_17(url):
    opener = urllib.request.build_opener()
    return opener.open(url).read()


# case 18: socket.create_connection((host, 80))
def case_18(host):
    sock = socket.create_connection((host, 80))
    sock.sendall(b"HEAD / HTTP/1.0\r\n\r\n")
    return sock.recv(1024)


# case 19: http.client.HTTPSConnection(host)
def case_19(host):
    conn = http.client.HTTPSConnection(host)
    conn.request("GET", "/health")
    return conn.getresponse().status


# case 20: smtplib.SMTP(host)
def case_20(host, message):
    with smtplib.SMTP(host) as smtp:
        smtp.send_message(message)


# case 21: ftplib.FTP(host)
def case_21(host):
    with ftplib.FTP(host) as ftp:
        return ftp.nlst()


# case 22: imaplib.IMAP4_SSL(host)
def case_22(host, user, password):
    imap = imaplib.IMAP4_SSL(host)
    imap.login(user, password)
    return imap


# case 23: poplib.POP3(host)
def case_23(host):
    pop = poplib.POP3(host)
    return pop.stat()


# case 24: httpx.get(url) (httpx has a 5 s default)
def case_24(url):
    return httpx.get(url).json()


# case 25: requests.get(url, **kwargs) in a wrapper
def case_25(url, **kwargs):
    return requests.get(url, **kwargs)


# case 26: dict.get and os.environ.get (not network calls)
def case_26(config, key):
    import os

    return config.get(key), os.environ.get("API_URL")


# case 27: a `session` parameter of unknown type
def case_27(session, url):
    return session.get(url).json()


# case 28: `from mylib import requests` (not the requests library), then requests.get(u)
# Kept last: Bandit's import aliases are file-wide, so this import would leak into later cases.
def case_28(u):
    from mylib import requests

    return requests.get(u)
