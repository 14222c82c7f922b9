package main

// drop removes attributes from r.
func drop(r rec, keys ...string) rec {
	var a []kv
next:
	for _, x := range r.attrs {
		for _, k := range keys {
			if x.k == k {
				continue next
			}
		}
		a = append(a, x)
	}
	r.attrs = a
	return r
}

// set replaces (or appends) attribute k.
func set(r rec, k, v string) rec {
	a := append([]kv(nil), r.attrs...)
	for i := range a {
		if a[i].k == k {
			a[i].v = v
			r.attrs = a
			return r
		}
	}
	r.attrs = append(a, kv{k, v})
	return r
}

// mfaDay is a whole day of activity on NPS01 with the NPS extension for
// Microsoft Entra MFA installed, 03/05/2024 in CET.
func mfaDay() []rec {
	const d = "03/05/2024"
	l := &log{}
	u := users

	// 07:58 alice, VPN with PAP: AD password accepted, the extension asks
	// for her OTP (Access-Challenge), she sends it with the State, Accept.
	// With an OTP the NP's reply attributes, Class included, do not reach
	// the NAS: her accounting carries no Class, only Acct-Session-Id.
	r1 := request(at(d, "07:58:12.341"), vpnGW, u["alice"], 1, l.class())
	c1 := response(r1, 11, 0, 1, npVPN, kv{"Reply-Message", otpMsg}, stateValue("5b1f6c2e-8d0a-4c43-9a1e-2f7d3b6a9c01"))
	r2 := request(at(d, "07:58:31.902"), vpnGW, u["alice"], 1, l.class(), stateValue("5b1f6c2e-8d0a-4c43-9a1e-2f7d3b6a9c01"))
	a2 := response(r2, 2, 0, 1, npVPN, vpnReply()...)
	l.add(r1, c1, r2, a2)
	sa := session{n: vpnGW, u: u["alice"], id: "8C1D00A1", framed: "10.0.100.21", started: at(d, "07:58:33.120")}
	l.add(sa.acct(sa.started, 1, 0, 0, 0, 0, 0))

	// 08:05 bob, VPN with MS-CHAPv2: push notification approved.
	r3 := request(at(d, "08:05:40.077"), vpnGW, u["bob"], 4, l.class())
	a3 := response(r3, 2, 0, 4, npVPN, vpnReply()...)
	l.add(r3, a3)
	sb := session{n: vpnGW, u: u["bob"], id: "8C1D00A2", class: a3.get("Class"), framed: "10.0.100.22", started: at(d, "08:06:02.500")}
	l.add(sb.acct(sb.started, 1, 0, 0, 0, 0, 0))

	// 08:12 mallory, VPN with MS-CHAPv2: three wrong passwords.
	for i, c := range []string{"08:12:03.210", "08:12:09.655", "08:12:15.031"} {
		r := request(at(d, c), vpnGW, u["mallory"], 4, l.class())
		l.add(r, response(r, 3, 16, 4, "", kv{"MS-CHAP-Error", mschapError(byte(1+i), 691, "8A3F0C6E21D94B7A5E10C2F3A4B5C6D7")}))
	}

	// 08:20 carol, Wi-Fi PEAP: three EAP rounds, each with its own Class
	// serial, then the Accept; accounting Start.
	var rc rec
	for _, c := range []string{"08:20:44.101", "08:20:44.180", "08:20:44.263"} {
		rc = request(at(d, c), wlc, u["carol"], 5, l.class())
		l.add(rc, response(rc, 11, 0, 5, npWiFi, kv{"Session-Timeout", "30"}))
	}
	rc = request(at(d, "08:20:44.349"), wlc, u["carol"], 5, l.class())
	ac := response(rc, 2, 0, 5, npWiFi, wifiReply()...)
	l.add(rc, ac)
	sc := session{n: wlc, u: u["carol"], id: "65e6c3a1/aa:bb:cc:00:00:03/1187", class: ac.get("Class"), framed: "10.20.0.53", started: at(d, "08:20:45.002")}
	l.add(sc.acct(sc.started, 1, 0, 0, 0, 0, 0))

	// 08:58 alice's interim update.
	l.add(sa.acct(at(d, "08:58:33.120"), 3, 18734002, 94211873, 40211, 81234, 0))

	// 09:02 dave, RD Gateway: AD accepts, the MFA extension rejects (he
	// denied the push): reason 21 with Authentication-Type 8 (Extension).
	r := request(at(d, "09:02:17.450"), rdgw, u["dave"], 1, l.class())
	l.add(r, response(r, 3, 21, 8, npRDG))
	// 09:02:50 dave again: the push times out, rejected again.
	r = request(at(d, "09:02:50.013"), rdgw, u["dave"], 1, l.class())
	l.add(r, response(r, 3, 21, 8, npRDG))

	// 09:06 bob interim.
	l.add(sb.acct(at(d, "09:06:02.500"), 3, 5523001, 30188420, 12001, 25544, 0))

	// 09:10 dave, RD Gateway, approved.
	r = request(at(d, "09:10:05.777"), rdgw, u["dave"], 1, l.class())
	l.add(r, response(r, 2, 0, 1, npRDG, kv{"Service-Type", "1"}, kv{"Session-Timeout", "36000"}))

	// 09:20 carol interim.
	l.add(sc.acct(at(d, "09:20:45.002"), 3, 2208113, 40019382, 9120, 33410, 0))

	// 10:41 carol tries the VPN but is not in the VPN group: no network
	// policy matches, reason 48.
	r = request(at(d, "10:41:09.318"), vpnGW, u["carol"], 4, l.class())
	l.add(r, response(r, 3, 48, 4, ""))

	// 11:30 a request from the WLC with a foreign realm: no connection
	// request policy matches, reason 49 (NPS resolved no account).
	x := user{name: "mallory", mac: "de-ad-be-ef-00-01"}
	r = request(at(d, "11:30:05.640"), wlc, x, 5, l.class())
	r = set(r, "User-Name", "mallory@fabrikam.example")
	r.hdrUser = "mallory@fabrikam.example"
	r = drop(r, "Proxy-Policy-Name", "Provider-Type", "SAM-Account-Name", "Fully-Qualifed-User-Name")
	rej := rec{t: r.t, computer: npsName, service: "IAS", hdrNAS: r.hdrNAS, hdrUser: r.hdrUser, attrs: append([]kv{{"Class", r.get("Class")}, {"Authentication-Type", "5"}},
		append(clientAttrs(wlc), kv{"Packet-Type", "3"}, kv{"Reason-Code", "49"})...)}
	l.add(r, rej)

	// 12:02 alice disconnects.
	l.add(sa.acct(at(d, "12:02:10.640"), 2, 61002113, 402211873, 131022, 352210, 1))

	// 13:45 alice again, PAP: challenge, then a wrong OTP: the extension
	// rejects with reason 21.
	r1 = request(at(d, "13:45:00.118"), vpnGW, u["alice"], 1, l.class())
	c1 = response(r1, 11, 0, 1, npVPN, kv{"Reply-Message", otpMsg}, stateValue("c0a8e3f2-11b4-4d6e-8f21-7a9b0c1d2e3f"))
	r2 = request(at(d, "13:45:21.604"), vpnGW, u["alice"], 1, l.class(), stateValue("c0a8e3f2-11b4-4d6e-8f21-7a9b0c1d2e3f"))
	l.add(r1, c1, r2, response(r2, 3, 21, 8, npVPN))

	// 14:00 mallory, RD Gateway: wrong password, reason 16.
	r = request(at(d, "14:00:31.990"), rdgw, u["mallory"], 1, l.class())
	l.add(r, response(r, 3, 16, 1, ""))

	// 16:12 carol leaves the building: Wi-Fi stop.
	l.add(sc.acct(at(d, "16:12:20.410"), 2, 15502113, 290144800, 61020, 244102, 1))

	// 17:31 bob disconnects (idle timeout).
	l.add(sb.acct(at(d, "17:31:44.004"), 2, 48190332, 260019233, 110234, 230111, 4))

	// 18:05 dave, VPN, MS-CHAPv2 with push, accepted; a short session.
	r = request(at(d, "18:05:10.500"), vpnGW, u["dave"], 4, l.class())
	ad := response(r, 2, 0, 4, npVPN, vpnReply()...)
	l.add(r, ad)
	sd := session{n: vpnGW, u: u["dave"], id: "8C1D00A3", class: ad.get("Class"), framed: "10.0.100.23", started: at(d, "18:05:32.310")}
	l.add(sd.acct(sd.started, 1, 0, 0, 0, 0, 0))
	l.add(sd.acct(at(d, "18:47:02.900"), 2, 3301002, 12004411, 8012, 14110, 1))
	sortByTime(l.recs)
	return l.recs
}

func sortByTime(rs []rec) {
	// insertion sort: stable, and the slices are short.
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].t.Before(rs[j-1].t); j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
}
