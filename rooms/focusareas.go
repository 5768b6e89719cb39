package rooms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"plenary/accounts"
	"plenary/check"
	"plenary/errs"
	"plenary/id"
)

// maxFocusAreas bounds the list: focus areas are a handful of themes, not a stream.
const maxFocusAreas = 200

// FocusArea is a theme that groups work on, such as legal measures or incident response.
type FocusArea struct {
	ID          string    `json:"id" bson:"_id"`
	Name        string    `json:"name" bson:"name"`
	Description string    `json:"description" bson:"description"`
	CreatedAt   time.Time `json:"created_at" bson:"created_at"`
}

// FocusAreaInput creates a focus area; in an update, nil fields stay as they are.
type FocusAreaInput struct {
	Name        *string
	Description *string
}

// FocusAreas lists every focus area by name. Any signed-in user may read them.
func (s *Service) FocusAreas(ctx context.Context, actor accounts.User) ([]FocusArea, error) {
	// The whole (small, bounded) collection: cheaper than any index, and the same on MongoDB.
	cur, err := s.focusAreas.Find(ctx, bson.D{}, options.Find().SetLimit(maxFocusAreas))
	if err != nil {
		return nil, fmt.Errorf("list focus areas: %w", err)
	}
	var out []FocusArea
	if err := cur.All(ctx, &out); err != nil {
		return nil, fmt.Errorf("list focus areas: %w", err)
	}
	sortByName(out, func(f FocusArea) string { return f.Name })
	return out, nil
}

func (s *Service) focusArea(ctx context.Context, focusAreaID string) (FocusArea, error) {
	var f FocusArea
	if err := check.ID("focus_area", focusAreaID); err != nil {
		return f, err
	}
	err := s.focusAreas.FindOne(ctx, bson.D{{Key: "_id", Value: focusAreaID}}).Decode(&f)
	if err == mongo.ErrNoDocuments {
		return f, errs.Errorf(errs.NotFound, "focus area not found")
	}
	if err != nil {
		return f, fmt.Errorf("load focus area %s: %w", focusAreaID, err)
	}
	return f, nil
}

// CreateFocusArea adds a focus area. Returns forbidden unless actor is secretariat, invalid for
// bad fields and conflict if the name is taken.
func (s *Service) CreateFocusArea(ctx context.Context, actor accounts.User, in FocusAreaInput) (FocusArea, error) {
	if !actor.IsSecretariat() {
		return FocusArea{}, errs.Errorf(errs.Forbidden, "only the secretariat can create focus areas")
	}
	f := FocusArea{ID: id.New(), CreatedAt: time.Now().UTC()}
	if err := applyFocusAreaInput(&f, in, true); err != nil {
		return FocusArea{}, err
	}
	if err := s.checkFocusAreaNameFree(ctx, actor, f, true); err != nil {
		return FocusArea{}, err
	}
	if _, err := s.focusAreas.InsertOne(ctx, f); err != nil {
		return FocusArea{}, fmt.Errorf("insert focus area: %w", err)
	}
	return f, nil
}

// UpdateFocusArea changes a focus area's name or description. Returns forbidden unless actor is
// secretariat, not_found, invalid, or conflict if the new name is taken.
func (s *Service) UpdateFocusArea(ctx context.Context, actor accounts.User, focusAreaID string, in FocusAreaInput) (FocusArea, error) {
	if !actor.IsSecretariat() {
		return FocusArea{}, errs.Errorf(errs.Forbidden, "only the secretariat can change focus areas")
	}
	f, err := s.focusArea(ctx, focusAreaID)
	if err != nil {
		return FocusArea{}, err
	}
	if err := applyFocusAreaInput(&f, in, false); err != nil {
		return FocusArea{}, err
	}
	if err := s.checkFocusAreaNameFree(ctx, actor, f, false); err != nil {
		return FocusArea{}, err
	}
	if _, err := s.focusAreas.ReplaceOne(ctx, bson.D{{Key: "_id", Value: f.ID}}, f); err != nil {
		return FocusArea{}, fmt.Errorf("update focus area: %w", err)
	}
	return f, nil
}

func applyFocusAreaInput(f *FocusArea, in FocusAreaInput, create bool) error {
	if create && in.Name == nil {
		return errs.Errorf(errs.Invalid, "name: is required")
	}
	if in.Name != nil {
		name, err := check.Text("name", *in.Name, 1, 200, false)
		if err != nil {
			return err
		}
		f.Name = name
	}
	if in.Description != nil {
		d, err := check.Text("description", *in.Description, 0, 2000, true)
		if err != nil {
			return err
		}
		f.Description = d
	}
	return nil
}

// checkFocusAreaNameFree refuses a second focus area with the same name (ignoring case). The
// check reads the small bounded list; two simultaneous creations of one name could both pass,
// which costs a rename, not data.
// On creation it also enforces maxFocusAreas.
func (s *Service) checkFocusAreaNameFree(ctx context.Context, actor accounts.User, f FocusArea, creating bool) error {
	all, err := s.FocusAreas(ctx, actor)
	if err != nil {
		return err
	}
	if creating && len(all) >= maxFocusAreas {
		return errs.Errorf(errs.Conflict, "there are already %d focus areas", maxFocusAreas)
	}
	for _, o := range all {
		if o.ID != f.ID && strings.EqualFold(o.Name, f.Name) {
			return errs.Errorf(errs.Conflict, "name: a focus area called %q already exists", o.Name)
		}
	}
	return nil
}
