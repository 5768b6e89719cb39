package demo

import "plenary/meetings"

// The first facilitation meeting for WSIS Action Line C5 (ITU Headquarters, Geneva, 15–16 May
// 2006), taken from its Chairman's Report. Dates, place, session titles, chairs, speakers with
// their roles and organizations, and presentation titles are facts from the report; titles are
// kept as the report names them. Every description and note is our own short summary.
//
// Sessions: the report numbers ten sessions, from "Session 1: Meeting Opening and Welcome" to
// "Session 10: Close of Meeting", so the opening and the closing are sessions here as well and
// there are exactly ten. Sessions 1–5 were on the first day; the report says the second day
// opened with Session 6.
//
// Chairs: the report names a chair only for Session 4 (Seymour Goodman), Session 7 (Suresh
// Ramasubramanian) and Session 9 (the meeting's Chairman, Judge Stein Schjolberg). Session 1 is
// given to ITU Deputy Secretary-General Roberto Blois, who opened the meeting and introduced the
// Chairman; every other session, including the close, which the report says the Chairman
// conducted, is given to the Chairman, who presided over the meeting as a whole.
//
// Times: the report gives none. The timetable is ILLUSTRATIVE: 09:30–12:30 and 14:30–17:30 on
// both days, with coffee breaks as break items. Lunch (12:30–14:30) is the gap between the
// morning and the afternoon sessions rather than an item, because an item belongs to a session
// and would stretch that session across the lunch hour. Item durations add up to their
// session's length.
//
// Real people appear by name only: their UserID is empty, since none of them has an account.

func ptr[T any](v T) *T { return &v }

// People of the meeting as the report describes them.
var (
	chairman = meetings.Person{
		Name:         "Stein Schjolberg",
		Title:        "Chief Judge; Editor of Cybercrimelaw.net; Chairman of the meeting",
		Organization: "Moss Tingrett District Court, Norway",
	}
	blois = meetings.Person{
		Name:         "Roberto Blois",
		Title:        "Deputy Secretary-General",
		Organization: "International Telecommunication Union (ITU)",
	}
	geiger = meetings.Person{
		Name:         "Charles Geiger",
		Title:        "Executive Director",
		Organization: "WSIS Executive Secretariat",
	}
	kelly = meetings.Person{
		Name:         "Tim Kelly",
		Title:        "Head, Strategy and Policy Unit",
		Organization: "International Telecommunication Union (ITU)",
	}
	shaw = meetings.Person{
		Name:         "Robert Shaw",
		Title:        "Deputy Head, Strategy and Policy Unit; ITU focal point for C5 follow-up",
		Organization: "International Telecommunication Union (ITU)",
	}
	abeleWigert = meetings.Person{
		Name:         "Isabelle Abele-Wigert",
		Title:        "Research Fellow, Center of Security Studies",
		Organization: "Swiss Federal Institute of Technology",
	}
	seymourGoodman = meetings.Person{
		Name:         "Seymour Goodman",
		Title:        "Professor",
		Organization: "Georgia Institute of Technology",
	}
	markoff = meetings.Person{
		Name:         "Michele Markoff",
		Title:        "Senior Coordinator for International Critical Infrastructure Protection, Bureau of Political Military Affairs",
		Organization: "U.S. State Department",
	}
	pirotti = meetings.Person{
		Name:         "Andrea Pirotti",
		Title:        "Executive Director",
		Organization: "European Network and Information Security Agency (ENISA)",
	}
	richardson = meetings.Person{
		Name:         "Janice Richardson",
		Title:        "Insafe Project Manager",
		Organization: "Insafe (European Schoolnet, Safer Internet Programme)",
	}
	shave = meetings.Person{
		Name:         "Betty-Ellen Shave",
		Title:        "Assistant Deputy Chief for International Computer Crime, Computer Crime and Intellectual Property Section (CCIPS)",
		Organization: "U.S. Department of Justice",
	}
	killerby = meetings.Person{
		Name:         "Margaret Killerby",
		Title:        "Head of the Department of Crime Problems",
		Organization: "Council of Europe",
	}
	markGoodman = meetings.Person{
		Name:         "Mark Goodman",
		Title:        "Senior Advisor, Interpol Steering Committee on Information Technology Crime",
		Organization: "Interpol",
	}
	reilly = meetings.Person{
		Name:         "Art Reilly",
		Title:        "Speaking on behalf of the International Chamber of Commerce (ICC)",
		Organization: "Cisco Systems",
	}
	andrews = meetings.Person{
		Name:         "Sarah Andrews",
		Title:        "Policy Analyst for Consumer Policy, Privacy and Information Security",
		Organization: "Organisation for Economic Co-operation and Development (OECD)",
	}
	delaChapelle = meetings.Person{
		Name:         "Bertrand de la Chapelle",
		Title:        "Speaking on behalf of the WSIS Privacy and Security Working Group",
		Organization: "WSIS Privacy and Security Working Group",
	}
	ramasubramanian = meetings.Person{
		Name:         "Suresh Ramasubramanian",
		Title:        "Postmaster; Coordinator for APCAUCE.ORG",
		Organization: "Outblaze Limited",
	}
	sindi = meetings.Person{
		Name:         "Ahmed Sindi",
		Title:        "Deputy Governor",
		Organization: "Communication and Information Technology Commission (CITC), Saudi Arabia",
	}
	harrison = meetings.Person{
		Name:         "John Harrison",
		Title:        "Consultant",
		Organization: "National Infrastructure Security Co-ordination Centre (NISCC), United Kingdom",
	}
	lamanauskas = meetings.Person{
		Name:         "Tomas Lamanauskas",
		Title:        "Deputy Director",
		Organization: "Communications Regulatory Authority (RRT), Republic of Lithuania",
	}
	sahli = meetings.Person{
		Name:         "Nabil Sahli",
		Title:        "Head of the CERT/TCC; representing the Tunisian Ministry of Communication Technologies",
		Organization: "Tunisian National Agency for Computer Security",
	}
	ntoko = meetings.Person{
		Name:         "Alexander Ntoko",
		Title:        "Chief, ITU-D E-Strategies Unit",
		Organization: "International Telecommunication Union (ITU)",
	}
	sund = meetings.Person{
		Name:         "Christine Sund",
		Title:        "Policy Analyst, Strategy and Policy Unit",
		Organization: "International Telecommunication Union (ITU)",
	}
	sebek = meetings.Person{
		Name:         "Georges Sebek",
		Title:        "Counsellor, ITU-T Study Group 17",
		Organization: "International Telecommunication Union (ITU)",
	}
	morel = meetings.Person{
		Name:         "Benoît Morel",
		Title:        "Professor",
		Organization: "Carnegie Mellon University",
	}
)

func speakers(p ...meetings.Person) []meetings.Person { return append([]meetings.Person{}, p...) }

func talk(title string, minutes int, notes string, who ...meetings.Person) meetings.Item {
	return meetings.Item{Kind: meetings.KindItem, Title: title, Speakers: speakers(who...), Duration: minutes,
		Contributions: []string{}, Notes: notes}
}

func discussion(minutes int, notes string) meetings.Item {
	return talk("Discussion", minutes, notes)
}

func coffee() meetings.Item {
	return meetings.Item{Kind: meetings.KindBreak, Title: "Coffee break", Speakers: []meetings.Person{}, Duration: 15,
		Contributions: []string{}}
}

// meeting2006 returns the 2006 facilitation meeting and its agenda, facts from the seed report in our own words.
func meeting2006() (meetings.MeetingInput, meetings.Agenda) {
	in := meetings.MeetingInput{
		Title:     ptr("First facilitation meeting for WSIS Action Line C5"),
		Forum:     ptr("WSIS Action Line C5: Building confidence and security in the use of ICTs"),
		StartDate: ptr("2006-05-15"),
		EndDate:   ptr("2006-05-16"),
		TimeZone:  ptr("Europe/Zurich"),
		Venue:     ptr("ITU Headquarters, Geneva, Switzerland"),
		Description: ptr("ITU, the facilitator of Action Line C5, invited the stakeholders of the World Summit " +
			"on the Information Society to this first meeting on putting the Action Line into practice. It ran " +
			"alongside World Telecommunication Day 2006, whose theme was Promoting Global Cybersecurity, under " +
			"its own theme Partnerships for Global Cybersecurity. Governments, international organizations, " +
			"business, civil society and researchers presented their work along five themes: sharing national " +
			"approaches and good practice; watch, warning and incident response; technical standards and " +
			"industry solutions; harmonizing laws and coordinating them internationally; and privacy, data and " +
			"consumer protection. ITU also launched its Cybersecurity Gateway. The meeting closed with three " +
			"proposed focus areas for follow-up. Indonesia and the Russian Federation sent written " +
			"contributions, and a study on measuring the capability to counter cybersecurity offences was " +
			"submitted. The session times shown are illustrative; the report does not give them."),
		Visibility: ptr(meetings.Public),
	}

	ag := meetings.Agenda{Sessions: []meetings.Session{
		// Monday 15 May 2006, morning.
		{
			ID:     "",
			Title:  "Meeting Opening and Welcome",
			Chairs: speakers(blois),
			Start:  "2006-05-15T09:30",
			End:    "2006-05-15T10:00",
			Description: "ITU welcomes the participants in the room and those following the audiocast, and " +
				"introduces the Chairman, who sets out why trust in networks depends on compatible, flexible " +
				"standards and laws.",
			Items: []meetings.Item{
				talk("Welcome address", 15, "Cybersecurity calls for foresight and concrete action by many "+
					"actors together; ITU, as facilitator, wants to build partnerships with all of them.", blois),
				talk("Opening remarks by the Chairman", 15, "Cyberspace as a new legal frontier: confidentiality, "+
					"integrity and availability build trust, and rules made now must leave room for innovation.", chairman),
			},
		},
		{
			ID:     "",
			Title:  "World Summit on the Information Society (WSIS) - from Geneva to Tunis",
			Chairs: speakers(chairman),
			Start:  "2006-05-15T10:00",
			End:    "2006-05-15T11:00",
			Description: "How the Summit came to its outcomes and Action Lines, how their facilitation was " +
				"organized, and the stocktaking database that tracks projects.",
			Items: []meetings.Item{
				talk("WSIS – A Call for Implementation", 25, "Overview of the Summit, its eleven Action Lines and "+
					"where C5 fits; work should be coordinated with other Action Lines and the Internet "+
					"Governance Forum.", geiger),
				talk("Consultation meeting of WSIS Action Line facilitators, 24 February 2006", 15, "Outcome of "+
					"the February consultation, chiefly the provisional choice of focal points for each Action Line.", kelly),
				talk("WSIS Stocktaking Exercise: Building confidence and security in the use of ICTs: The Next Steps", 20,
					"The stocktaking database as a tool for implementation: over 3,000 entries, 695 of them "+
						"registered under C5.", kelly),
			},
		},
		{
			ID:     "",
			Title:  "Beyond WSIS - Action Line C5 and Actors",
			Chairs: speakers(chairman),
			Start:  "2006-05-15T11:00",
			End:    "2006-05-15T12:30",
			Description: "The context of Action Line C5: how cybersecurity and the protection of critical " +
				"information infrastructure (CIIP) reached national and international policy agendas, and " +
				"the challenges governments face.",
			Items: []meetings.Item{
				talk("WSIS Outcomes: Building Confidence and Security in the use of ICTs", 30, "From growing "+
					"dependence on global networks to the international instruments adopted since the late "+
					"1990s; the challenge ahead is to map themes and actors and bring separate communities "+
					"together.", shaw),
				coffee(),
				talk("Challenges Governments Face in the Field of CIIP - Stakeholders and Perspectives", 30,
					"Findings of the 2006 CIIP Handbook: actors disagree on what to protect and by whom, so "+
						"national policy must weigh their perspectives and be backed by international work.", abeleWigert),
				discussion(15, "Questions and comments on the context of Action Line C5."),
			},
		},
		// Monday 15 May 2006, afternoon.
		{
			ID:     "",
			Title:  "Perspectives on Promoting Global Cybersecurity",
			Chairs: speakers(seymourGoodman),
			Start:  "2006-05-15T14:30",
			End:    "2006-05-15T16:15",
			Description: "National, regional and international views on how cybersecurity and CIIP are best " +
				"approached, when every country is only as safe as the weakest link of a shared network.",
			Items: []meetings.Item{
				talk("Opening remarks by the session chair", 10, "In cyberspace all countries are neighbours; the "+
					"hard part is getting national and regional leaders to commit to a sustained effort.", seymourGoodman),
				talk("A framework for national action and international cooperation", 25, "Governments should "+
					"lead with a national plan, adequate laws and outreach to their counterparts; a U.S. "+
					"framework and model national plan were proposed.", markoff),
				talk("ENISA's contribution to the development of Network and Information Security within the Community", 20,
					"ENISA's mandate and its current and planned work to foster a culture of network and "+
						"information security in Europe.", pirotti),
				coffee(),
				talk("Insafe: a European approach to cyber-safety", 20, "A coordinated European approach that "+
					"uses synergies and a common platform to avoid duplicated effort.", richardson),
				discussion(15, "Exchange of views on national, regional and international approaches."),
			},
		},
		{
			ID:     "",
			Title:  "National Legal Approaches and International Legal Coordination for Global Cybersecurity",
			Chairs: speakers(chairman),
			Start:  "2006-05-15T16:15",
			End:    "2006-05-15T17:30",
			Description: "Laws and their enforcement as foundations of trust: how countries are updating " +
				"criminal law for online offences, and where international coordination can help.",
			Items: []meetings.Item{
				talk("Building Trust ― National Legal Approaches and International Legal Coordination for Global Cybersecurity", 15,
					"The main actors and instruments of the global legal framework against cybercrime.", chairman),
				talk("U.S. international training and cooperation on cybercrime", 20, "Training on drafting "+
					"cybercrime laws and on investigation, offered worldwide alongside other countries' efforts.", shave),
				talk("The Convention on Cybercrime", 20, "Guidelines and bilateral agreements are not enough; the "+
					"Council of Europe Convention is the practical international instrument, and more countries "+
					"are considering joining it.", killerby),
				talk("Interpol's Role in Fighting High-Tech Crime", 20, "Crime crosses borders freely, so police "+
					"need global cooperation; the services Interpol offers against cybercrime.", markGoodman),
			},
		},
		// Tuesday 16 May 2006, morning.
		{
			ID:     "",
			Title:  "Perspectives on Promoting Global Cybersecurity (Session 4 cont'd)",
			Chairs: speakers(chairman),
			Start:  "2006-05-16T09:30",
			End:    "2006-05-16T10:45",
			Description: "More perspectives on the World Telecommunication Day theme, from business, the OECD " +
				"and civil society, including privacy and digital identity.",
			Items: []meetings.Item{
				talk("A Business Perspective on Promoting Cybersecurity", 20, "Every stakeholder has a part, "+
					"business a broad one; security is an ongoing process, and ICC offers to help organize "+
					"cooperation.", reilly),
				talk("The OECD Trust Agenda: Promoting Security and Confidence", 20, "The OECD's guidelines and "+
					"tools on information security, privacy, consumer protection and spam.", andrews),
				talk("Digital Identity and Privacy", 20, "A user-centric trust framework; a call for a binding "+
					"global privacy instrument and for balancing security with privacy.", delaChapelle),
				discussion(15, "Exchange of views on the perspectives presented."),
			},
		},
		{
			ID:     "",
			Title:  "Partnerships for Developing Watch, Warning and Incident Response Capabilities",
			Chairs: speakers(ramasubramanian),
			Start:  "2006-05-16T10:45",
			End:    "2006-05-16T12:30",
			Description: "Experience from industry and from national agencies in building and linking " +
				"capabilities to watch for, warn of and respond to incidents.",
			Items: []meetings.Item{
				talk("Shared Incident Response—towards mitigation of spam and net abuse", 20, "Trends in spam and "+
					"botnets; fast cooperation with law enforcement needs standard, secure contact channels and "+
					"official points of contact.", ramasubramanian),
				talk("Cyber Security Initiatives in Saudi Arabia", 15, "The country's response to cyber threats, "+
					"including the planned national CERT.", sindi),
				talk("Warning, Advice and Reporting Points (WARPs)", 15, "WARPs as part of the United Kingdom's "+
					"information sharing to protect critical national infrastructure.", harrison),
				coffee(),
				talk("Direction to Success: Public and Private Sectors Partnership", 15, "Lithuania's plan for a "+
					"national CERT that coordinates the country's incident response teams.", lamanauskas),
				talk("Insights into the Tunisian experience and strategy in the establishment of national watch, warning and incident response capabilities", 15,
					"Tunisia's national approach and how developing economies could be helped to set up national "+
						"and regional incident response teams.", sahli),
				discussion(10, "Questions on building and linking incident response capabilities."),
			},
		},
		// Tuesday 16 May 2006, afternoon.
		{
			ID:     "",
			Title:  "ITU Contributions to Promoting Partnerships for Global Cybersecurity",
			Chairs: speakers(chairman),
			Start:  "2006-05-16T14:30",
			End:    "2006-05-16T16:00",
			Description: "What ITU brings: the outcome of its 2006 development conference, the new " +
				"Cybersecurity Gateway, standards work on security, and a study on measuring capabilities.",
			Items: []meetings.Item{
				talk("Cybersecurity at the World Telecommunication Development Conference 2006", 15, "Resolution 45 "+
					"and the large gap in cybersecurity between developing and developed countries.", ntoko),
				talk("Launch of the ITU Cybersecurity Gateway", 20, "An online reference to national initiatives "+
					"and resources worldwide, arranged for citizens, businesses, governments and international "+
					"organizations.", sund),
				coffee(),
				talk("ITU-T Work on Security", 20, "Recent work of Study Group 17, a focus group on a security "+
					"baseline for network operators, and a roadmap of ICT security standards.", sebek),
				{Kind: meetings.KindItem,
					Title:    "A Methodology for Measuring the Capability to Counter Cybersecurity-related Offenses",
					Speakers: speakers(morel), Duration: 20,
					Contributions: []string{"Study: A Methodology for Measuring the Capability to Counter Cybersecurity-related Offenses"},
					Notes:         "A proposed way to measure how well a country can counter cybersecurity offences.",
				},
			},
		},
		{
			ID:     "",
			Title:  "Partnerships for Global Cybersecurity – The Way Forward",
			Chairs: speakers(chairman),
			Start:  "2006-05-16T16:00",
			End:    "2006-05-16T17:15",
			Description: "Participants look back over the two days and discuss concrete cooperative next " +
				"steps, leading to three proposed focus areas.",
			Items: []meetings.Item{
				talk("Introduction by the Chairman", 10, "A pressing need for capacity building to harmonize "+
					"cybercrime laws, and for ratifying and implementing the Convention on Cybercrime.", chairman),
				talk("Ideas for the way forward", 20, "Map themes and actors, for instance through the Gateway; "+
					"bring separate communities together; build a light platform for partnerships; possible "+
					"sub-groups, next meeting and online tools.", shaw),
				discussion(30, "General discussion of proposals for future cooperation."),
				talk("Proposed initial focus areas", 15, "Three areas emerged: a model national framework for "+
					"cybersecurity and CIIP; capacity building on cybercrime legislation and enforcement; and "+
					"sharing good practice on watch, warning and incident response.", shaw),
			},
		},
		{
			ID:     "",
			Title:  "Close of Meeting",
			Chairs: speakers(chairman),
			Start:  "2006-05-16T17:15",
			End:    "2006-05-16T17:30",
			Description: "A closing statement from the floor, thanks from the Chairman, and what ITU will do " +
				"next as facilitator.",
			Items: []meetings.Item{
				{Kind: meetings.KindItem, Title: "Statement by the Russian Federation", Speakers: []meetings.Person{},
					Duration: 5, Contributions: []string{"Contribution from the Russian Federation, 16 May 2006"},
					Notes: "The representative of the Russian Federation (not named in the report) asked for " +
						"international information security to be treated as a whole, from spam and " +
						"cybercrime to hostile use of ICTs by states."},
				talk("Closing by the Chairman", 5, "Thanks to the participants and to ITU staff.", chairman),
				talk("Next steps for the facilitator", 5, "The Chairman's report goes to participants for "+
					"comment, and ITU will propose a project to follow up the three focus areas.", shaw),
			},
		},
	}}
	return in, ag
}
