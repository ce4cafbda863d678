import { nodeVerifySample } from '@tripline/shared';
import { useState } from 'react';
import { NodeVerifySample } from '../ui/node-sample.tsx';

/** How to verify Tripline's signatures with an off-the-shelf Standard Webhooks library. */
const SAMPLES = {
  // the one Node sample (shared/), as the event catalog shows it
  Node: { install: nodeVerifySample.install, code: nodeVerifySample.code },
  Python: {
    install: 'pip install standardwebhooks flask',
    code: `import os
from flask import Flask, request
from standardwebhooks.webhooks import Webhook

wh = Webhook(os.environ["TRIPLINE_WEBHOOK_SECRET"])  # "whsec_…"
app = Flask(__name__)  # flask --app tripline_webhooks run --port 4000

@app.post("/webhooks/tripline")
def tripline():
    try:
        # the raw body bytes and the webhook-* headers
        event = wh.verify(request.get_data(), dict(request.headers))
    except Exception as err:
        # the library's reason: a stale timestamp is not a wrong signature
        print("refused a webhook:", err)
        return str(err), 400
    # webhook-id is the same on every retry and replay: handle each id once.
    print(request.headers["webhook-id"], event["type"], event["data"])
    return "", 204`,
  },
  Go: {
    install: 'go get github.com/standard-webhooks/standard-webhooks/libraries',
    code: `package main

import (
	"io"
	"log"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

func main() {
	wh, err := standardwebhooks.NewWebhook(os.Getenv("TRIPLINE_WEBHOOK_SECRET")) // "whsec_…"
	if err != nil {
		log.Fatal(err)
	}
	http.HandleFunc("/webhooks/tripline", func(w http.ResponseWriter, r *http.Request) {
		payload, err := io.ReadAll(r.Body) // the raw body, before any JSON decoding
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		if err := wh.Verify(payload, r.Header); err != nil {
			// the library's reason: a stale timestamp is not a wrong signature
			log.Println("refused a webhook:", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// webhook-id is the same on every retry and replay: handle each id once.
		log.Println(r.Header.Get("webhook-id"), string(payload))
		w.WriteHeader(http.StatusNoContent)
	})
	log.Fatal(http.ListenAndServe(":4000", nil))
}`,
  },
};

type Language = keyof typeof SAMPLES;

export function VerifyCode() {
  const [language, setLanguage] = useState<Language>('Node');
  const sample = SAMPLES[language];
  return (
    <section className="card" aria-label="Verify signatures">
      <h2>Verify signatures</h2>
      <p className="muted">
        Every request carries <code>webhook-id</code>, <code>webhook-timestamp</code> and <code>webhook-signature</code> (Standard Webhooks).
        Verify them with your endpoint's <code>whsec_…</code> secret and any Standard Webhooks library; the library also refuses timestamps more
        than five minutes off, which stops replays of captured requests. After a rotation the signature header holds one signature per valid
        secret, so the old secret keeps verifying during the grace period.
      </p>
      <div className="portal-tabs" role="tablist" aria-label="Language">
        {(Object.keys(SAMPLES) as Language[]).map((l) => (
          <button key={l} type="button" role="tab" aria-selected={l === language} onClick={() => setLanguage(l)}>
            {l}
          </button>
        ))}
      </div>
      {language === 'Node' ? (
        <NodeVerifySample codeLabel="Node code" />
      ) : (
        <>
          <pre className="json" aria-label={`${language} install`}>{sample.install}</pre>
          <pre className="json" aria-label={`${language} code`}>{sample.code}</pre>
        </>
      )}
    </section>
  );
}
