package web

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/parley-chat/parley/app/parley"
	"github.com/parley-chat/parley/server/mail/outbound"
	"github.com/parley-chat/parley/server/store"
)

// A chat started while the site is closed or away (the offline form, or
// an offline chat promised an email answer) is mailed at once to the
// site's notification address, or to its team when the site has none:
// nobody is there to see it in the console. The job is queued by the
// message that starts the conversation, in its transaction
// (store.Append.StartJobs), so a resend queues nothing more.

const jobOfflineNotice = "offline-notice"

// offlineNoticeJob is the job a visitor's first message queues while the
// site is in state st (nil: open), or none.
func (s *Server) offlineNoticeJob(st *parley.OpenState) []store.NewJob {
	if s.cfg.Mail.Sender == nil || st == nil || st.Open {
		return nil
	}
	return []store.NewJob{{Kind: jobOfflineNotice}}
}

// sendOfflineNotice mails the shop a chat that started while it was
// closed: who wrote, their email and topic, what they wrote so far, and a
// link to answer it in the console.
func (s *Server) sendOfflineNotice(ctx context.Context, j store.Job) error {
	conv, site, err := s.jobConversation(j)
	if err != nil {
		return err
	}
	to, err := s.shopAddresses(site, conv.Team)
	if err != nil {
		return err
	}
	if len(to) == 0 {
		return nil // nobody to tell: the digest and the console remain
	}
	var lines []outbound.Line
	err = s.visitorEntries(conv.ID, 0, 0, func(f parley.Frame) {
		if f.Kind == parley.KindMessage && f.From != nil {
			lines = append(lines, outbound.Line{From: f.From.Name, Text: f.Text, At: time.UnixMilli(f.At), Agent: f.From.Kind != parley.AuthorVisitor})
		}
	})
	if err != nil {
		return err
	}
	who := conv.VisitorName
	var about []string
	if conv.Email != "" {
		about = append(about, "Email: "+conv.Email)
	}
	if t, ok := site.Routing.Topic(conv.Topic); ok {
		about = append(about, "Topic: "+t.Name)
	}
	if conv.Page.URL != "" {
		about = append(about, "Page: "+conv.Page.URL)
	}
	intro := who + " wrote while nobody was online."
	if conv.Email != "" {
		intro += " Answer in the console: your reply goes to them by email if they have left the page."
	} else {
		intro += " They left no email: answer in the console while they are still on the page."
	}
	if len(about) > 0 {
		intro += "\n\n" + strings.Join(about, "\n")
	}
	subject := "New message from " + who + " (" + site.Name + ")"
	text, html := outbound.Render(outbound.Page{ShopName: site.Name, Color: site.Color, Title: subject, Intro: intro,
		Lines: lines, LinkURL: s.cfg.PublicURL + "/console/c/" + fmt.Sprint(conv.ID), LinkText: "Answer in the console"})
	return s.send(ctx, outbound.Mail{MessageID: s.messageID(j), To: to,
		FromName: "Parley for " + site.Name, Subject: subject, Text: text, HTML: html,
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Parley-Conversation": fmt.Sprint(conv.ID)}})
}

// shopAddresses is where news of team's chats on site goes: the site's
// notification address, or else the team's enabled members.
func (s *Server) shopAddresses(site parley.Site, team string) ([]mail.Address, error) {
	if site.Mail.Notify != "" {
		return []mail.Address{{Name: site.Name, Address: site.Mail.Notify}}, nil
	}
	var to []mail.Address
	err := s.teamMembers(site, team, func(a parley.Agent) bool {
		to = append(to, mail.Address{Name: a.Name, Address: a.Email})
		return true
	})
	return to, err
}

// teamMembers calls fn with each enabled member of site's team (every
// member for the default team, or a team that is gone) that has an email,
// until fn returns false.
func (s *Server) teamMembers(site parley.Site, team string, fn func(parley.Agent) bool) error {
	members, err := s.store.SiteMembers(site.ID)
	if err != nil {
		return err
	}
	t, explicit := site.Routing.Team(team)
	for _, m := range members {
		if explicit && team != "" && !t.HasMember(m.Agent) {
			continue
		}
		a, err := s.store.Agent(m.Agent)
		if err != nil || a.Email == "" {
			continue
		}
		if off, _ := s.store.AgentDisabled(a.ID); off {
			continue
		}
		if !fn(a) {
			return nil
		}
	}
	return nil
}
